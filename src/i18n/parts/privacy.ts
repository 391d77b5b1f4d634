// Texts of the privacy notice, contact and about page (/privacy), the footer link and the notice by
// the complaint form's name and contact, Thai and English (merged by ../messages.ts). What is kept
// and for how long MUST say what the code does (docs/security.md); the law is cited only as
// MISSION.md gives it.
export const th: Record<string, string> = {
  'nav.privacy': 'ความเป็นส่วนตัวและการติดต่อ',
  'nav.footer': 'ข้อมูลเกี่ยวกับระบบ',
  'privacy.title': 'ความเป็นส่วนตัว การติดต่อ และเกี่ยวกับระบบ',
  'privacy.lead': 'ระบบนี้เก็บอะไรเกี่ยวกับคุณ เก็บนานเท่าใด ใครอ่านได้ และติดต่อใคร',
  'privacy.toc': 'ในหน้านี้',
  'privacy.about.title': 'เกี่ยวกับระบบ',
  'privacy.about.text':
    'สุจริตเป็นระบบโอเพนซอร์สที่หน่วยงานของรัฐใช้รับแจ้งเบาะแสการทุจริตและเรื่องร้องเรียนจากประชาชน ผู้แจ้งเบาะแสไม่ต้องเปิดเผยตัวตน ผู้ร้องเรียนให้ชื่อและช่องทางติดต่อเพื่อให้หน่วยงานตอบกลับได้',
  'privacy.controller.title': 'ผู้ควบคุมข้อมูลส่วนบุคคล',
  'privacy.controller.text': 'ผู้ให้บริการระบบนี้เป็นผู้ควบคุมข้อมูลส่วนบุคคลที่ระบบเก็บ หน่วยงานที่รับเรื่องของคุณเป็นผู้ดำเนินการกับเรื่องนั้น',
  'privacy.controller.name': 'ผู้ให้บริการ',
  'privacy.controller.contact': 'ติดต่อ',
  'privacy.controller.unset':
    'ยังไม่ได้ตั้งค่า: ผู้ให้บริการระบบนี้ยังไม่ได้ระบุชื่อและช่องทางติดต่อ (ค่าตั้ง SUJARIT_OPERATOR_NAME_TH, SUJARIT_OPERATOR_NAME_EN และ SUJARIT_OPERATOR_CONTACT) ระหว่างนี้หน้านี้จึงยังไม่ระบุผู้ควบคุมข้อมูล',
  'privacy.agencies.title': 'หน่วยงานที่รับเรื่อง',
  'privacy.agencies.text':
    'หน่วยงานเหล่านี้รับเรื่องผ่านระบบนี้ หน่วยงานยังไม่มีช่องทางติดต่อแยกในระบบ: เรื่องที่แจ้งแล้วให้ติดตามและตอบเจ้าหน้าที่ที่หน้าติดตามเรื่องด้วยรหัสติดตามเรื่องของคุณ เรื่องอื่นให้ติดต่อผู้ให้บริการข้างต้น',
  'privacy.agencies.none': 'ขณะนี้ยังไม่มีหน่วยงานที่รับเรื่องในระบบ',
  'privacy.kept.title': 'ระบบเก็บอะไร',
  'privacy.kept.everyone': 'ทุกคนที่เปิดหน้าเว็บนี้',
  'privacy.kept.everyone.1': 'ระบบไม่อ่านและไม่บันทึกที่อยู่ไอพี ชื่อเบราว์เซอร์หรืออุปกรณ์ของคุณ และไม่มีบันทึกการเข้าใช้หน้าเว็บฝั่งผู้แจ้ง',
  'privacy.kept.everyone.2':
    'หน้าเว็บไม่โหลดสิ่งใดจากเว็บไซต์อื่น ไม่มีคุกกี้ติดตาม นอกจากคุกกี้ของหน้าแสดงรหัสติดตามเรื่องและหน้าติดตามเรื่อง (ด้านล่าง) คุกกี้ที่ใช้มีเพียงภาษาที่เลือก (1 ปี) และรหัสป้องกันแบบฟอร์มปลอม (จนปิดเบราว์เซอร์)',
  'privacy.kept.tip': 'เมื่อแจ้งเบาะแส',
  'privacy.kept.tip.1':
    'สิ่งที่คุณเขียน ไฟล์แนบ และชื่อไฟล์ ถูกเข้ารหัสก่อนเก็บ อ่านได้เฉพาะเจ้าหน้าที่ที่ได้รับมอบเรื่องและคุณเอง สำเนาฐานข้อมูลเพียงอย่างเดียวอ่านไม่ได้',
  'privacy.kept.tip.2': 'ข้อมูลแฝงในภาพ (เช่น พิกัด GPS รุ่นกล้อง) ถูกลบก่อนเก็บ ไฟล์ประเภทอื่นเก็บตามที่ส่งมา และระบบจะบอกคุณ',
  'privacy.kept.tip.3':
    'ชื่อและช่องทางติดต่อไม่บังคับ หากให้ไว้จะถูกเข้ารหัสแยกจากเนื้อหา เปิดได้เฉพาะผู้ดูแลข้อมูลตัวตนของหน่วยงาน และผู้ตรวจสอบเรื่องหลังผู้ดูแลอนุมัติคำขอที่บันทึกไว้เท่านั้น',
  'privacy.kept.tip.4': 'เวลาที่บันทึกละเอียดถึงนาทีเท่านั้น',
  'privacy.kept.tip.5': 'ระบบเก็บเฉพาะค่าที่คำนวณจากรหัสติดตามเรื่อง ไม่เก็บรหัสเอง จึงแสดงซ้ำหรือออกใหม่ให้ไม่ได้',
  'privacy.kept.tip.6':
    'หน้าแสดงรหัสติดตามเรื่องเปิดซ้ำได้ในเบราว์เซอร์ที่ส่งเรื่องภายใน {minutes} นาที: ระบบเก็บบันทึกที่เข้ารหัสด้วยกุญแจที่อยู่ในคุกกี้ของเบราว์เซอร์นั้นเท่านั้น แล้วลบทิ้งเมื่อครบเวลาหรือเมื่อคุณกดลบ',
  'privacy.kept.tip.7':
    'การเข้าหน้าติดตามเรื่องด้วยรหัสติดตามเรื่องไม่บันทึกสิ่งใด คุกกี้ใช้ได้ {session} นาที เมื่อออกจากระบบ ระบบเก็บค่าแฮชของคุกกี้นั้นไว้จนถึงเวลาที่คุกกี้หมดอายุอยู่แล้ว โดยไม่ระบุเรื่อง',
  'privacy.kept.complaint': 'เมื่อร้องเรียน',
  'privacy.kept.complaint.1':
    'ชื่อและช่องทางติดต่อจำเป็นเพื่อให้หน่วยงานตอบคุณได้ ถูกเข้ารหัสไว้ในเรื่องร้องเรียน อ่านได้เฉพาะเจ้าหน้าที่ที่ดูแลเรื่อง ไม่แสดงในหน้าสถานะเรื่อง',
  'privacy.kept.complaint.2': 'เนื้อหา ไฟล์แนบ และรหัสติดตามเรื่อง 16 หลัก เก็บแบบเดียวกับการแจ้งเบาะแส (ข้างต้น)',
  'privacy.kept.complaint.3':
    'เรื่องคำขออนุญาตล่าช้า: วันที่ยื่น วันที่คู่มือกำหนด และวันที่มีคำตัดสิน เก็บแบบไม่เข้ารหัสเพื่อการแจ้งเตือนตามกฎหมาย เลขที่คำขอถูกเข้ารหัส',
  'privacy.kept.complaint.4': 'คะแนนความพึงพอใจและวันที่ให้คะแนนเก็บไว้เพื่อสถิติของหน่วยงาน ความเห็นถูกเข้ารหัสให้เจ้าหน้าที่ที่ดูแลเรื่องอ่าน',
  'privacy.kept.complaint.5':
    'ทาง LINE: LINE เห็นการสนทนาทั้งหมด ระบบเข้ารหัสสิ่งที่ได้รับทันที เก็บรหัสผู้ใช้ LINE เฉพาะแบบเข้ารหัสหรือในรูปค่าแฮชที่ใช้กุญแจ และลบเนื้อหาของข้อความเมื่อดำเนินการแล้ว',
  'privacy.kept.case': 'ในทุกเรื่อง',
  'privacy.kept.case.1':
    'ข้อมูลที่ไม่เข้ารหัสมีเพียงข้อมูลสำหรับส่งเรื่อง: หน่วยงาน ประเภท ช่องทาง สถานะ เลขที่เรื่อง ว่าได้ให้ตัวตนไว้หรือไม่ และวันเวลา (ถึงนาที)',
  'privacy.kept.case.2': 'ทุกครั้งที่เจ้าหน้าที่เปิดอ่านเนื้อหาของเรื่องและทุกการดำเนินการถูกบันทึกในบันทึกการตรวจสอบซึ่งระบุเจ้าหน้าที่ ไม่ระบุผู้แจ้ง',
  'privacy.kept.case.3': 'ทุกเหตุการณ์ของเรื่องถูกบันทึกในบัญชีสาธารณะเป็นค่าแฮชเท่านั้น ไม่มีเนื้อหา ไม่มีชื่อ',
  'privacy.kept.case.4':
    'เมื่อมีผู้ส่งเรื่องจำนวนมาก ระบบเก็บค่าแฮชของตั๋วแบบฟอร์มแต่ละใบจนตั๋วหมดอายุ (ไม่เกิน {hours} ชั่วโมง ปัดขึ้นเป็นชั่วโมง) เพื่อไม่ให้ส่งซ้ำ โดยไม่ระบุเรื่อง',
  'privacy.retention.title': 'เก็บนานเท่าใด',
  'privacy.retention.1':
    'เรื่องที่แจ้งและเรื่องร้องเรียน รวมทั้งข้อความ ไฟล์แนบ ชื่อและช่องทางติดต่อที่เข้ารหัสไว้ เก็บตลอดเวลาที่ยังดำเนินการ เมื่อยุติเรื่องแล้วและพ้นระยะเวลาของหน่วยงาน (ตารางด้านล่าง) ระบบจะทำลายกุญแจและเนื้อหาที่เข้ารหัสอัตโนมัติ ซึ่งรวมถึงสำเนาสำรองที่เข้ารหัสไว้ เพราะไม่เหลือกุญแจใดเปิดได้ เหลือเพียงเลขที่เรื่อง ชนิด ผล และวันที่ เรื่องที่ถูกระงับการลบเพื่อใช้ตามกฎหมายจะเก็บไว้จนกว่าจะยกเลิก หน้าติดตามเรื่องแสดงวันที่จะลบ',
  'privacy.retention.2': 'บันทึกการตรวจสอบและบัญชีสาธารณะเก็บถาวร เพราะต้องพิสูจน์ได้ว่าไม่มีการลบหรือแก้ไขย้อนหลัง',
  'privacy.retention.3':
    'บันทึกของหน้าแสดงรหัสติดตามเรื่อง: {minutes} นาที ค่าแฮชของการออกจากระบบและของตั๋วแบบฟอร์ม: จนหมดอายุ ไฟล์ที่อัปโหลดแต่ไม่ได้ส่ง: ลบภายในประมาณหนึ่งชั่วโมง',
  'privacy.rights.title': 'สิทธิของคุณ',
  'privacy.rights.1':
    'ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 คุณขอเข้าถึงข้อมูลส่วนบุคคลของคุณได้ และผู้ควบคุมข้อมูลต้องดำเนินการภายใน 30 วัน (มาตรา 30) การปฏิเสธคำขอต้องถูกบันทึกไว้ (มาตรา 39) และต้องแจ้งเหตุการละเมิดข้อมูลส่วนบุคคลภายใน 72 ชั่วโมง',
  'privacy.rights.2':
    'ตามพระราชบัญญัติประกอบรัฐธรรมนูญว่าด้วยการป้องกันและปราบปรามการทุจริต พ.ศ. 2561 มาตรา 131 และ 133 ผู้กล่าวหา พยาน และผู้ให้ข้อมูลได้รับความคุ้มครอง รวมทั้งการปกปิดข้อมูลส่วนบุคคล',
  'privacy.rights.3':
    'ระบบเชื่อมคุณกับเรื่องของคุณผ่านรหัสติดตามเรื่องเท่านั้น คุณอ่านสิ่งที่ส่งไปและคำตอบของเจ้าหน้าที่ได้ตลอดเวลาที่หน้าติดตามเรื่อง ไม่มีเจ้าหน้าที่หรือผู้ให้บริการคนใดขอรหัสนี้จากคุณได้ อย่าให้ใคร',
  'privacy.followup': 'ไปยังหน้าติดตามเรื่อง',
  'privacy.form.notice': 'อ่านได้เฉพาะเจ้าหน้าที่ที่ดูแลเรื่องของคุณ',
  'privacy.form.newtab': 'เปิดในแท็บใหม่ สิ่งที่พิมพ์ไว้ไม่หาย',
  'privacy.form.link': 'ระบบเก็บข้อมูลของคุณอย่างไร',
};

export const en: Record<string, string> = {
  'nav.privacy': 'Privacy and contact',
  'nav.footer': 'About this platform',
  'privacy.title': 'Privacy, contact and about',
  'privacy.lead': 'What this platform keeps about you, for how long, who can read it, and whom to contact.',
  'privacy.toc': 'On this page',
  'privacy.about.title': 'About this platform',
  'privacy.about.text':
    'Sujarit is an open-source platform that public agencies use to receive corruption tips and citizen complaints. A whistleblower does not have to say who they are; a complainant gives a name and a contact so that the agency can answer.',
  'privacy.controller.title': 'Data controller',
  'privacy.controller.text':
    'The operator of this platform is the controller of the personal data it keeps. The agency that receives your report or complaint handles it.',
  'privacy.controller.name': 'Operator',
  'privacy.controller.contact': 'Contact',
  'privacy.controller.unset':
    'Not configured yet: the operator of this platform has not given its name and contact (the settings SUJARIT_OPERATOR_NAME_TH, SUJARIT_OPERATOR_NAME_EN and SUJARIT_OPERATOR_CONTACT), so this notice does not name a controller yet.',
  'privacy.agencies.title': 'Agencies that receive reports',
  'privacy.agencies.text':
    'These agencies receive reports and complaints here. Agencies do not have a contact of their own on the platform yet: for a report or complaint you filed, read and answer the officers on the follow-up page with your tracking code; for anything else, contact the operator above.',
  'privacy.agencies.none': 'No agency receives reports on the platform yet.',
  'privacy.kept.title': 'What the platform keeps',
  'privacy.kept.everyone': 'Everyone who visits',
  'privacy.kept.everyone.1':
    'Your IP address, browser and device are never read or recorded, and the reporter’s pages keep no access log.',
  'privacy.kept.everyone.2':
    'Pages load nothing from other sites and set no tracking cookie. Apart from those of the tracking-code and follow-up pages (below), the only cookies hold the language you chose (1 year) and a code that protects forms from forgery (until the browser closes).',
  'privacy.kept.tip': 'When you send a tip',
  'privacy.kept.tip.1':
    'What you write, your attachments and their file names are encrypted before they are stored: only the officers the case is given to, and you, can read them. A copy of the database alone reads none of it.',
  'privacy.kept.tip.2':
    'Hidden data in pictures (such as GPS location and camera model) is removed before storing; other file types are stored as sent, and you are told so.',
  'privacy.kept.tip.3':
    'Your name and contact are optional. If you give them, they are encrypted apart from the report: only the agency’s identity custodians can open them, and an investigator only after a custodian approves a recorded request.',
  'privacy.kept.tip.4': 'Times are recorded to the minute only.',
  'privacy.kept.tip.5':
    'The platform keeps only a value derived from your tracking code, never the code itself, so it cannot show it again or issue a new one.',
  'privacy.kept.tip.6':
    'The tracking-code page can be shown again in the browser that filed, for {minutes} minutes: the platform keeps a record encrypted with a key held only in that browser’s cookie, and deletes it when the time is up or when you remove it.',
  'privacy.kept.tip.7':
    'Opening your case with the tracking code records nothing; its cookie lasts {session} minutes. When you log out, a hash of that cookie is kept until it would have expired anyway; it names no case.',
  'privacy.kept.complaint': 'When you send a complaint',
  'privacy.kept.complaint.1':
    'Your name and contact are required so that the agency can answer you. They are encrypted inside the complaint, readable only by the officers handling it, and never shown on the status page.',
  'privacy.kept.complaint.2':
    'The story, the attachments and the 16-digit tracking code are kept as for a tip (above).',
  'privacy.kept.complaint.3':
    'A late permit: the date filed, the citizen manual’s deadline and the decision date are kept unencrypted for the reminders the law requires; the request number is encrypted.',
  'privacy.kept.complaint.4':
    'A rating and the day it was given are kept for the agency’s figures; the comment is encrypted for the officers handling the case.',
  'privacy.kept.complaint.5':
    'On LINE: LINE sees the whole chat. The platform encrypts what arrives at once, keeps your LINE user id only encrypted or as a keyed hash, and drops the content of messages once processed.',
  'privacy.kept.case': 'For every case',
  'privacy.kept.case.1':
    'Only what routes the case is unencrypted: agency, category, channel, status, reference, whether an identity was given, and dates to the minute.',
  'privacy.kept.case.2':
    'Every time a staff member opens a case’s content, and every action on it, is recorded in an audit trail that names the staff member, never the reporter.',
  'privacy.kept.case.3': 'Every event of a case is recorded in the public ledger as a hash only: no content, no names.',
  'privacy.kept.case.4':
    'When many reports arrive, a hash of each form’s ticket is kept until the ticket expires (at most {hours} hours, rounded up to the hour) so that it cannot be used twice; it names no case.',
  'privacy.retention.title': 'For how long',
  'privacy.retention.1':
    'Reports and complaints, with their messages, attachments and the encrypted name and contact, are kept while they are handled. Once a case is closed and its agency’s period has passed (the table below), the platform destroys its keys and sealed content automatically, encrypted backups included, since no key to open them is left; only the reference, kind, outcome and dates remain. A case under a legal hold is kept until the hold is lifted. The follow-up page shows the day a case will be deleted.',
  'privacy.retention.2':
    'The audit trail and the public ledger are kept for good: they prove that nothing was deleted or altered.',
  'privacy.retention.3':
    'The tracking-code page’s record: {minutes} minutes. The hashes of logouts and form tickets: until they expire. Files uploaded but never sent: deleted within about an hour.',
  'privacy.rights.title': 'Your rights',
  'privacy.rights.1':
    'Under the Personal Data Protection Act B.E. 2562 you may ask for access to your personal data, and the controller must act within 30 days (§30). A refusal must be recorded (§39), and a personal data breach must be notified within 72 hours.',
  'privacy.rights.2':
    'Under the Organic Act on Anti-Corruption B.E. 2561, §131 and §133, complainants, witnesses and informants are protected, including by concealing their personal data.',
  'privacy.rights.3':
    'The platform links you to your case only through your tracking code. You can read what you sent, and the officers’ answers, at any time on the follow-up page. No officer or operator may ask you for it: give it to no one.',
  'privacy.followup': 'Go to the follow-up page',
  'privacy.form.notice': 'Only the officers handling your complaint can read them.',
  'privacy.form.newtab': 'opens in a new tab, so nothing you typed is lost',
  'privacy.form.link': 'How your data is kept',
};
