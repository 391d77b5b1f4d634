// Texts of one part of the application, Thai and English (merged by ../messages.ts).
export const th: Record<string, string> = {
  'deadline.clock.ack': 'ตอบรับเรื่อง',
  'deadline.clock.reply': 'ตอบกลับผู้แจ้ง',
  'deadline.clock.feedback': 'แจ้งผลการดำเนินการ',
  'deadline.state.due_soon': 'ใกล้ครบกำหนด',
  'deadline.state.overdue': 'เลยกำหนดแล้ว',
  'deadline.mail.subject': 'แจ้งเตือนกำหนดเวลา {count} เรื่อง',
  'deadline.mail.intro': 'เรื่องต่อไปนี้ใกล้ครบกำหนดหรือเลยกำหนดแล้ว',
  'deadline.mail.item': '{reference} {clock}: {state} (กำหนด {due})',
  'deadline.mail.footer': 'อีเมลนี้ไม่มีเนื้อหาของเรื่อง โปรดเข้าสู่ระบบเพื่อดำเนินการ',
};
export const en: Record<string, string> = {
  'deadline.clock.ack': 'acknowledgement',
  'deadline.clock.reply': 'reply to the reporter',
  'deadline.clock.feedback': 'feedback to the reporter',
  'deadline.state.due_soon': 'due soon',
  'deadline.state.overdue': 'overdue',
  'deadline.mail.subject': 'Deadline reminder: {count} case(s)',
  'deadline.mail.intro': 'These cases are due soon or overdue.',
  'deadline.mail.item': '{reference} {clock}: {state} (due {due})',
  'deadline.mail.footer': 'This email carries no case content. Log in to act on the cases.',
};
