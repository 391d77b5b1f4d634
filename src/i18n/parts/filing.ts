// Texts of the filing cost under load (report and complaint forms), Thai and English (merged by
// ../messages.ts).
export const th: Record<string, string> = {
  'filing.notice':
    'ขณะนี้มีการส่งเรื่องเข้ามาจำนวนมาก เพื่อป้องกันการส่งเรื่องอัตโนมัติ แบบฟอร์มนี้จะส่งได้เมื่อเปิดไว้แล้วอย่างน้อย {seconds} วินาที (เบราว์เซอร์ที่เปิด JavaScript อาจคำนวณสั้น ๆ แทนการรอ) ค่อย ๆ เขียนได้ตามสบาย สิ่งที่พิมพ์ไว้จะไม่หายไป',
  'filing.working': 'กำลังเตรียมส่งแบบฟอร์ม กรุณารอสักครู่…',
  'error.filing_wait':
    'ขณะนี้มีการส่งเรื่องเข้ามาจำนวนมาก จึงยังส่งแบบฟอร์มนี้ไม่ได้ กรุณารออีก {seconds} วินาที แล้วกดส่งอีกครั้ง ข้อความที่พิมพ์ไว้ยังอยู่ครบ',
  'error.filing_ticket_used':
    'แบบฟอร์มนี้ถูกส่งไปแล้วหนึ่งครั้ง หากคุณยังไม่ได้รับรหัสรับเรื่อง กรุณารอ {seconds} วินาที แล้วกดส่งอีกครั้ง ข้อความที่พิมพ์ไว้ยังอยู่ครบ',
};

export const en: Record<string, string> = {
  'filing.notice':
    'Many reports are arriving right now. To keep out automated floods, this form can be sent once it has been open for {seconds} seconds (a browser with JavaScript on may do a short computation instead of waiting). Take your time: nothing you type is lost.',
  'filing.working': 'Preparing to send the form, please wait…',
  'error.filing_wait':
    'Many reports are arriving right now, so this form cannot be sent yet. Please wait {seconds} more seconds, then press Send again. Everything you typed is still here.',
  'error.filing_ticket_used':
    'This form was already sent once. If you did not get a tracking code, wait {seconds} seconds and press Send again. Everything you typed is still here.',
};
