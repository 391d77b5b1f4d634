// Every text a person reads, in Thai (default) and English. Keys are shared by pages, the API's
// problem documents and the domain's AppError.userMessage.

export const LANGS = ['th', 'en'] as const;
export type Lang = (typeof LANGS)[number];

import * as admin from './parts/admin.ts';
import * as consoleTexts from './parts/console.ts';
import * as deadlines from './parts/deadlines.ts';
import * as search from './parts/search.ts';
import * as complaints from './parts/complaints.ts';
import * as permits from './parts/permits.ts';
import * as line from './parts/line.ts';
import * as itaSurvey from './parts/ita-survey.ts';
import * as itaCycle from './parts/ita-cycle.ts';
import * as itaResults from './parts/ita-results.ts';
import * as itaPublic from './parts/ita-public.ts';
import * as filing from './parts/filing.ts';
import * as spam from './parts/spam.ts';
import * as ledgerPage from './parts/ledger-page.ts';
import * as privacy from './parts/privacy.ts';
import * as retention from './parts/retention.ts';
import * as procurement from './parts/procurement.ts';
import * as risk from './parts/risk.ts';
import * as opendata from './parts/opendata.ts';
import * as ethics from './parts/ethics.ts';
import * as ethicsQa from './parts/ethics-qa.ts';
import * as declarations from './parts/declarations.ts';
import * as units from './parts/units.ts';

type Dict = Record<string, string>;

const th: Dict = {
  'app.name': 'สุจริต',
  'app.tagline': 'ช่องทางแจ้งเบาะแสการทุจริตและร้องเรียนที่ปลอดภัย',
  'nav.skip': 'ข้ามไปยังเนื้อหาหลัก',
  'nav.home': 'หน้าแรก',
  'nav.language': 'English',
  'nav.language.label': 'เปลี่ยนภาษาเป็นภาษาอังกฤษ',
  'home.title': 'แจ้งเบาะแสการทุจริตอย่างปลอดภัย',
  'home.lead': 'คุณไม่ต้องเปิดเผยตัวตน ระบบไม่บันทึกที่อยู่ไอพีหรืออุปกรณ์ของคุณ และเนื้อหาที่แจ้งจะถูกเข้ารหัสให้อ่านได้เฉพาะเจ้าหน้าที่ผู้รับเรื่องเท่านั้น',
  'home.report': 'แจ้งเรื่องใหม่',
  'home.followup': 'ติดตามเรื่องและตอบเจ้าหน้าที่',
  'home.safety.title': 'ก่อนเริ่ม เพื่อความปลอดภัยของคุณ',
  'home.safety.1': 'ใช้อุปกรณ์และเครือข่ายส่วนตัว ไม่ใช้คอมพิวเตอร์หรือ Wi-Fi ของหน่วยงาน',
  'home.safety.2': 'หากทำได้ ให้ใช้ Tor Browser ระบบนี้ใช้งานได้โดยไม่ต้องเปิด JavaScript',
  'home.safety.3': 'อย่าใส่ข้อมูลที่ระบุตัวคุณในเนื้อหา หากไม่ต้องการเปิดเผยตัวตน',
  'report.title': 'แจ้งเรื่อง',
  'report.agency': 'หน่วยงานที่เกี่ยวข้อง',
  'report.agency.choose': 'เลือกหน่วยงาน',
  'report.agency.unknown': 'ไม่ทราบ (ส่งให้ศูนย์รับเรื่องของระบบ)',
  'report.category': 'ประเภทเรื่อง',
  'report.what': 'เกิดอะไรขึ้น',
  'report.what.hint': 'เล่าเหตุการณ์ให้ละเอียดที่สุดเท่าที่ทำได้',
  'report.when': 'เมื่อไร',
  'report.when.hint': 'วันที่หรือช่วงเวลาโดยประมาณ',
  'report.where': 'ที่ไหน',
  'report.who': 'ผู้เกี่ยวข้อง',
  'report.who.hint': 'ชื่อหรือตำแหน่งของผู้ถูกกล่าวหาและพยาน (ข้อมูลนี้ถูกเข้ารหัสเช่นกัน)',
  'report.files': 'ไฟล์แนบ (ไม่บังคับ)',
  'report.files.hint':
    'ไม่เกิน {count} ไฟล์ ไฟล์ละไม่เกิน {fileMb} MB รวมไม่เกิน {totalMb} MB ระบบจะลบข้อมูลแฝงในภาพ (เช่น พิกัด GPS รุ่นกล้อง) ให้อัตโนมัติ',
  'report.identity.legend': 'ตัวตนและช่องทางติดต่อ (ไม่บังคับ)',
  'report.identity.hint': 'เก็บแยกจากเนื้อหาที่แจ้งและเข้ารหัสแยกกัน เว้นว่างไว้หากต้องการไม่เปิดเผยตัวตน',
  'report.identityName': 'ชื่อ-นามสกุล',
  'report.identityContact': 'ช่องทางติดต่อ (อีเมลหรือโทรศัพท์)',
  'report.optional': 'ไม่บังคับ',
  'report.required': 'จำเป็น',
  'report.submit': 'ส่งเรื่อง',
  'report.noagencies': 'ขณะนี้ยังไม่มีหน่วยงานที่รับเรื่องในระบบ',
  'receipt.title': 'ส่งเรื่องเรียบร้อยแล้ว',
  'receipt.lead': 'นี่คือรหัสติดตามเรื่องของคุณ ใช้ติดตามเรื่อง ดูกำหนดเวลา และตอบคำถามของเจ้าหน้าที่',
  'receipt.warning': 'จดหรือเก็บรหัสนี้ไว้ในที่ปลอดภัยทันที ระบบจะแสดงเพียงครั้งเดียวและไม่สามารถกู้คืนได้ ใครก็ตามที่มีรหัสนี้จะอ่านเรื่องของคุณได้',
  'receipt.reference': 'เลขที่เรื่อง',
  'receipt.removed': 'ข้อมูลแฝงที่ลบออกจากไฟล์แนบ',
  'receipt.notcleaned': 'ไม่สามารถลบข้อมูลแฝงจากไฟล์ประเภทนี้ได้ (เช่น ชื่อผู้สร้างเอกสาร) โปรดตรวจสอบก่อนส่งครั้งต่อไป',
  'receipt.nothingremoved': 'ไม่พบข้อมูลแฝง',
  'receipt.followup': 'ไปยังหน้าติดตามเรื่อง',
  'receipt.gone.title': 'หน้านี้ไม่แสดงรหัสแล้ว',
  'receipt.gone.lead':
    'หน้าแสดงรหัสติดตามเรื่องแสดงซ้ำได้ในเบราว์เซอร์ที่ส่งเรื่องเท่านั้น ภายใน {minutes} นาทีหลังส่ง หรือจนกว่าท่านจะลบออก เรื่องของท่านยังอยู่ครบ ใช้รหัสที่จดไว้เพื่อติดตามเรื่อง หากไม่ได้จดไว้ ระบบไม่สามารถแสดงรหัสให้ใหม่ได้ เพราะไม่มีใครเก็บรหัสนี้ไว้',
  'receipt.forget.title': 'ลบรหัสออกจากเบราว์เซอร์นี้',
  'receipt.forget.lead':
    'หน้านี้โหลดซ้ำได้โดยไม่ส่งเรื่องซ้ำ และจะหายไปเองใน {minutes} นาที เมื่อจดรหัสไว้แล้ว ลบออกได้ทันที โดยเฉพาะเมื่อใช้เครื่องร่วมกับผู้อื่น',
  'receipt.forget.button': 'จดรหัสแล้ว ลบออกจากเบราว์เซอร์นี้',
  'certificate.title': 'หนังสือรับรองการแจ้งเรื่อง',
  'certificate.lead':
    'หนังสือรับรอง (PDF) พิสูจน์ได้ว่าเรื่องที่มีเนื้อหานี้ถูกแจ้งเมื่อใดและถูกบันทึกในบัญชีสาธารณะที่แก้ไขย้อนหลังไม่ได้ ตรวจสอบได้แบบออฟไลน์ ในไฟล์ไม่มีเนื้อหาของเรื่องและไม่มีหมายเลขอ้างอิง แต่มีชื่อหน่วยงานที่รับเรื่อง โปรดเก็บไว้ในที่ปลอดภัย',
  'certificate.download': 'ดาวน์โหลดหนังสือรับรอง',
  'certificate.download.json': 'ดาวน์โหลดเป็นไฟล์ JSON (สำหรับโปรแกรมตรวจสอบ)',
  'certificate.pending': 'หนังสือรับรองยังไม่พร้อม ระบบกำลังบันทึกเรื่องลงบัญชีสาธารณะ (ไม่เกินหนึ่งนาที) กรุณากดอีกครั้ง',
  'followup.title': 'ติดตามเรื่อง',
  'followup.lead':
    'ใส่รหัสติดตามเรื่องที่ได้รับเมื่อส่งเรื่อง (เบาะแส เรื่องร้องเรียน หรือถ้อยคำพยาน) ในหน้าเดียวนี้คุณจะเห็นสถานะ กำหนดเวลา ผลการดำเนินการ และข้อความจากเจ้าหน้าที่ ตอบกลับเจ้าหน้าที่ได้ และประเมินความพึงพอใจได้เมื่อเรื่องยุติ',
  'followup.code': 'รหัสติดตามเรื่อง 16 หลัก',
  'form.date.placeholder': 'วว/ดด/ปปปป',
  'form.date.hint': 'วัน/เดือน/ปี พ.ศ. เช่น 31/03/2568',
  'followup.code.hint': 'พิมพ์ตัวเลข 16 หลักตามที่จดไว้ เว้นวรรคหรือขีดคั่นได้ และใช้เลขไทยได้ เช่น 1234 5678 9012 3456',
  'followup.login': 'เข้าสู่เรื่องของฉัน',
  'followup.logout': 'ออกจากระบบ',
  'followup.case.title': 'เรื่องของคุณ',
  'followup.next.title': 'ขั้นตอนต่อไป',
  'followup.next.ack': 'หน่วยงานจะตอบรับเรื่องของคุณภายใน {date}',
  'followup.next.ack.late': 'หน่วยงานควรตอบรับเรื่องของคุณภายใน {date} ขณะนี้เลยกำหนดแล้ว',
  'followup.next.reply': 'เจ้าหน้าที่จะตอบคุณครั้งแรกภายใน {date}',
  'followup.next.reply.late': 'เจ้าหน้าที่ควรตอบคุณครั้งแรกภายใน {date} ขณะนี้เลยกำหนดแล้ว',
  'followup.next.feedback': 'หน่วยงานจะแจ้งผลการดำเนินการภายใน {date}',
  'followup.next.feedback.late': 'หน่วยงานควรแจ้งผลการดำเนินการภายใน {date} ขณะนี้เลยกำหนดแล้ว',
  'followup.next.policy': 'กำหนดเวลาเหล่านี้เป็นของหน่วยงานที่รับเรื่อง ความคืบหน้าและข้อความจากเจ้าหน้าที่จะแสดงที่หน้าติดตามเรื่อง',
  'followup.next.paused': 'เจ้าหน้าที่ขอข้อมูลเพิ่มเติมจากคุณ กำหนดเวลาของหน่วยงานหยุดนับไว้จนกว่าคุณจะตอบ (ตอบได้ที่ช่องด้านล่าง)',
  'followup.next.none': 'ขณะนี้ไม่มีกำหนดเวลาที่รออยู่ หน่วยงานจะแจ้งความคืบหน้าที่หน้านี้',
  'followup.next.closed': 'เรื่องนี้ยุติแล้ว',
  'followup.next.closed.outcome': 'เรื่องนี้ยุติแล้ว ผลการดำเนินการ: {outcome}',
  'followup.next.closed.tip':
    'เรื่องนี้ยุติแล้ว ผลการตรวจสอบเบาะแสไม่แสดงที่หน้านี้ เพื่อคุ้มครองผู้ที่เกี่ยวข้อง คุณยังส่งข้อความถึงเจ้าหน้าที่ได้ที่ช่องด้านล่าง',
  'followup.status': 'สถานะ',
  'followup.filed': 'วันที่แจ้ง',
  'followup.updated': 'ปรับปรุงล่าสุด',
  'followup.report': 'เรื่องที่แจ้ง',
  'followup.messages': 'ข้อความ',
  'followup.nomessages': 'ยังไม่มีข้อความ',
  'followup.you': 'คุณ',
  'followup.reply': 'ตอบกลับหรือให้ข้อมูลเพิ่มเติม',
  'followup.send': 'ส่งข้อความ',
  'followup.message': 'ข้อความของคุณ',
  'followup.sent': 'ส่งข้อความแล้ว',
  'followup.error.other_case':
    'แบบฟอร์มนี้เป็นของเรื่องที่เปิดไว้ก่อนหน้าในเบราว์เซอร์นี้ ระบบจึงยังไม่ได้ส่ง โปรดตรวจสอบว่าหน้านี้เป็นเรื่องของท่าน แล้วส่งอีกครั้ง',
  'followup.identity.given': 'คุณได้ให้ข้อมูลตัวตนไว้ (เก็บแยกและเข้ารหัส)',
  'followup.identity.none': 'คุณแจ้งโดยไม่เปิดเผยตัวตน',
  'case.attachments': 'ไฟล์แนบ',
  'case.category': 'ประเภท',
  'case.agency': 'หน่วยงาน',
  'case.what': 'เกิดอะไรขึ้น',
  'case.when': 'เมื่อไร',
  'case.where': 'ที่ไหน',
  'case.who': 'ผู้เกี่ยวข้อง',
  'case.download': 'ดาวน์โหลด',
  'case.unreadable': 'รายการนี้เปิดอ่านไม่ได้ (ข้อมูลเสียหายหรือถูกเข้ารหัสด้วยกุญแจอื่น)',
  'case.unreadable.alert':
    'มีรายการในเรื่องนี้ {n} รายการที่เปิดอ่านไม่ได้ ระบบบันทึกไว้ในบันทึกการตรวจสอบแล้ว โปรดแจ้งผู้ดูแลระบบ ส่วนที่เหลือของเรื่องยังอ่านได้ตามปกติ',
  'case.size': '{size}',
  'category.bribery': 'การเรียกรับสินบน',
  'category.procurement_fraud': 'การทุจริตจัดซื้อจัดจ้าง',
  'category.abuse_of_authority': 'การใช้อำนาจโดยมิชอบ',
  'category.misuse_of_state_property': 'การใช้ทรัพย์สินของราชการโดยมิชอบ',
  'category.conflict_of_interest': 'การมีผลประโยชน์ทับซ้อน',
  'category.other': 'อื่น ๆ',
  'status.new': 'เรื่องใหม่',
  'status.acknowledged': 'รับเรื่องแล้ว',
  'status.closed': 'ยุติเรื่อง',
  'removed.gps': 'พิกัดตำแหน่ง GPS',
  'removed.camera': 'ยี่ห้อ รุ่น และหมายเลขกล้อง',
  'removed.datetime': 'วันเวลาที่ถ่ายภาพ',
  'removed.owner': 'ชื่อเจ้าของหรือผู้ถ่าย',
  'removed.software': 'ซอฟต์แวร์และชื่อเครื่อง',
  'removed.exif': 'ข้อมูล EXIF',
  'removed.xmp': 'ข้อมูล XMP',
  'removed.iptc': 'ข้อมูล IPTC',
  'removed.comments': 'ข้อความแฝงในไฟล์',
  'removed.icc': 'โปรไฟล์สี (ICC)',
  'staff.title': 'ระบบเจ้าหน้าที่',
  'staff.login': 'เข้าสู่ระบบเจ้าหน้าที่',
  'staff.email': 'อีเมล',
  'staff.password': 'รหัสผ่าน',
  'staff.error.email_required': 'กรอกอีเมลที่ใช้เข้าสู่ระบบ',
  'staff.error.password_required': 'กรอกรหัสผ่าน',
  'staff.signin': 'เข้าสู่ระบบ',
  'staff.logout': 'ออกจากระบบ',
  'staff.cases': 'เรื่องร้องเรียนของหน่วยงาน',
  'staff.cases.total': 'ทั้งหมด {total} เรื่อง',
  'staff.cases.total.capped': 'มากกว่า {total} เรื่อง',
  'staff.cases.none': 'ยังไม่มีเรื่อง',
  'staff.ledger': 'บัญชีสาธารณะ (ledger) ของระบบ',
  'staff.ledger.hint':
    'กุญแจตรวจสอบ (verifier key) สำหรับหน่วยงานกำกับดูแลและผู้แจ้งใช้ตรวจสอบจุดตรวจ (checkpoint) และหนังสือรับรอง',
  'staff.cases.reference': 'เลขที่เรื่อง',
  'staff.cases.filed': 'วันที่แจ้ง',
  'staff.cases.updated': 'ปรับปรุงล่าสุด',
  'staff.cases.identity': 'ให้ตัวตน',
  'staff.page': 'หน้า {page} จาก {pages}',
  'staff.page.open': 'หน้า {page}',
  'staff.prev': 'หน้าก่อน',
  'staff.next': 'หน้าถัดไป',
  'staff.back': 'กลับไปยังรายการเรื่อง',
  'staff.setstatus': 'เปลี่ยนสถานะ',
  'staff.save': 'บันทึก',
  'staff.reply': 'ตอบผู้แจ้ง',
  'staff.message': 'ข้อความถึงผู้แจ้ง',
  'staff.reply.hint': 'ผู้แจ้งจะเห็นคุณในชื่อ "{role}" ไม่เห็นชื่อของคุณ',
  'staff.identity': 'ตัวตนของผู้แจ้ง',
  'staff.identity.reveal': 'เปิดดูตัวตนของผู้แจ้ง (บันทึกในประวัติการเข้าถึง)',
  'staff.identity.none': 'ผู้แจ้งไม่เปิดเผยตัวตน',
  'staff.reporter': 'ผู้แจ้ง',
  'staff.audited': 'การเปิดอ่านเรื่องนี้ถูกบันทึกในประวัติการเข้าถึง',
  'staff.yes': 'ใช่',
  'staff.no': 'ไม่',
  'error.title': 'เกิดข้อผิดพลาด',
  'error.form': 'กรุณาตรวจสอบข้อมูลที่ระบุไว้ด้านล่าง',
  'error.count': 'พบข้อผิดพลาด {n} รายการ',
  'error.field.required': 'กรุณากรอกช่องนี้',
  'error.field.too_long': 'ข้อความยาวเกินกำหนด',
  'error.field.invalid': 'ข้อมูลไม่ถูกต้อง',
  'error.not_found': 'ไม่พบหน้าหรือเรื่องที่ต้องการ',
  'error.conflict': 'ข้อมูลนี้มีอยู่แล้ว',
  'error.login_failed': 'อีเมล รหัสผ่าน หรือรหัสยืนยันตัวตนไม่ถูกต้อง',
  'error.unauthorized': 'กรุณาเข้าสู่ระบบ',
  'error.receipt_wrong': 'ไม่พบเรื่องสำหรับรหัสติดตามเรื่องนี้ กรุณาตรวจสอบตัวเลข 16 หลักอีกครั้ง',
  'error.receipt_empty': 'กรุณากรอกรหัสติดตามเรื่อง 16 หลักที่ได้รับเมื่อส่งเรื่อง',
  'error.file_too_large': 'ไฟล์มีขนาดใหญ่เกินกำหนด ({fileMb} MB ต่อไฟล์) ข้อความที่คุณพิมพ์ยังอยู่ กรุณาแนบไฟล์ที่เล็กลงแล้วส่งอีกครั้ง',
  'error.report_too_large': 'ไฟล์แนบรวมกันมีขนาดเกินกำหนด ({totalMb} MB) ข้อความที่คุณพิมพ์ยังอยู่ กรุณาลดจำนวนหรือขนาดไฟล์',
  'error.too_many_files': 'แนบไฟล์ได้ไม่เกิน {count} ไฟล์',
  'error.bad_image': 'ไม่สามารถอ่านไฟล์ภาพนี้ได้ ไฟล์อาจเสียหาย',
  'error.agency_unknown': 'กรุณาเลือกหน่วยงานจากรายการ',
  'error.unavailable': 'ระบบไม่สามารถบันทึกได้ในขณะนี้ เรื่องของคุณยังไม่ถูกบันทึก กรุณาลองใหม่อีกครั้งในอีกสักครู่',
  'error.csrf': 'แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาส่งใหม่อีกครั้ง',
  'error.internal': 'ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง',
  'error.too_many_requests': 'มีคำขอมากเกินไป กรุณารอสักครู่',
  'error.rate_limited': 'ขณะนี้มีการลองเข้าสู่ระบบด้วยรหัสที่ผิดมากเกินไป กรุณาลองใหม่อีกครั้งในอีกสักครู่',
  'error.bad_request': 'คำขอไม่ถูกต้อง',
  'error.unsupported_media_type': 'ไม่รับข้อมูลในรูปแบบนี้',
  'error.reselect_files': 'เพื่อความปลอดภัย ไฟล์แนบไม่ถูกเก็บไว้ กรุณาเลือกไฟล์อีกครั้ง',
};

const en: Dict = {
  'app.name': 'Sujarit',
  'app.tagline': 'A safe channel for corruption tips and complaints',
  'nav.skip': 'Skip to main content',
  'nav.home': 'Home',
  'nav.language': 'ไทย',
  'nav.language.label': 'Change the language to Thai',
  'home.title': 'Report corruption safely',
  'home.lead':
    'You do not have to say who you are. The platform keeps no IP address or device details, and what you report is encrypted so that only the officers receiving it can read it.',
  'home.report': 'File a new report',
  'home.followup': 'Follow up and answer the officers',
  'home.safety.title': 'Before you start, for your safety',
  'home.safety.1': 'Use your own device and network, not your agency’s computer or Wi-Fi.',
  'home.safety.2': 'If you can, use Tor Browser. This site works with JavaScript turned off.',
  'home.safety.3': 'Leave out details that identify you if you want to stay anonymous.',
  'report.title': 'File a report',
  'report.agency': 'Agency concerned',
  'report.agency.choose': 'Choose an agency',
  'report.agency.unknown': 'I don’t know (send to the platform’s intake office)',
  'report.category': 'Kind of wrongdoing',
  'report.what': 'What happened',
  'report.what.hint': 'Describe what happened in as much detail as you can.',
  'report.when': 'When',
  'report.when.hint': 'A date or an approximate period.',
  'report.where': 'Where',
  'report.who': 'Who is involved',
  'report.who.hint': 'Names or positions of the people involved and of witnesses (also encrypted).',
  'report.files': 'Attachments (optional)',
  'report.files.hint':
    'Up to {count} files, {fileMb} MB each, {totalMb} MB in all. Hidden data in pictures (such as GPS location and camera model) is removed automatically.',
  'report.identity.legend': 'Your identity and contact (optional)',
  'report.identity.hint': 'Kept apart from the report and encrypted separately. Leave empty to stay anonymous.',
  'report.identityName': 'Full name',
  'report.identityContact': 'Contact (email or phone)',
  'report.optional': 'optional',
  'report.required': 'required',
  'report.submit': 'Send report',
  'report.noagencies': 'No agency is receiving reports yet.',
  'receipt.title': 'Your report has been filed',
  'receipt.lead':
    'This is your tracking code. Use it to follow the case, see its deadlines and answer the officers’ questions.',
  'receipt.warning':
    'Write this code down or store it safely now. It is shown only once and cannot be recovered. Anyone who has it can read your report.',
  'receipt.reference': 'Case reference',
  'receipt.removed': 'Hidden data removed from your attachments',
  'receipt.notcleaned':
    'Hidden data cannot be removed from files of this kind (such as the author’s name in a document). Check such files before you send them.',
  'receipt.nothingremoved': 'No hidden data found',
  'receipt.followup': 'Go to the follow-up page',
  'receipt.gone.title': 'This page no longer shows the code',
  'receipt.gone.lead':
    'The tracking-code page can be shown again only in the browser that filed, for {minutes} minutes after filing or until you remove it. Your case is whole: follow it up with the tracking code you wrote down. If you did not write it down, it cannot be shown again: nobody keeps it.',
  'receipt.forget.title': 'Remove the code from this browser',
  'receipt.forget.lead':
    'You can reload this page without filing again; it goes by itself after {minutes} minutes. Once you have written the code down, remove it now, especially on a shared device.',
  'receipt.forget.button': 'I wrote it down: remove it from this browser',
  'certificate.title': 'Filing certificate',
  'certificate.lead':
    'The certificate (a PDF) proves when a report with this content was filed and that it is in the public, append-only ledger, and can be checked offline. It holds none of the report’s content and no reference, but it names the agency: keep it somewhere safe.',
  'certificate.download': 'Download the filing certificate',
  'certificate.download.json': 'Download as JSON (for verification tools)',
  'certificate.pending':
    'The certificate is not ready yet: the report is being recorded in the public ledger (within a minute). Please try again.',
  'followup.title': 'Follow up',
  'followup.lead':
    'With the tracking code you were given when you filed (a tip, a complaint or a witness statement), see the status, the dates the agency is held to, the outcome and the officers’ messages, answer them, and rate the handling once the case is closed: all on one page.',
  'followup.code': '16-digit tracking code',
  'form.date.placeholder': 'dd/mm/yyyy',
  'form.date.hint': 'Day/month/year, e.g. 31/03/2025 (a Buddhist Era year such as 2568 works too)',
  'followup.code.hint':
    'Type the 16 digits as you wrote them down; spaces, dashes and Thai digits are fine, e.g. 1234 5678 9012 3456.',
  'followup.login': 'Open my case',
  'followup.logout': 'Log out',
  'followup.case.title': 'Your case',
  'followup.next.title': 'What happens next',
  'followup.next.ack': 'The agency acknowledges your case by {date}.',
  'followup.next.ack.late': 'The agency should have acknowledged your case by {date}: it is late.',
  'followup.next.reply': 'An officer answers you for the first time by {date}.',
  'followup.next.reply.late': 'An officer should have answered you by {date}: it is late.',
  'followup.next.feedback': 'The agency tells you what it has done by {date}.',
  'followup.next.feedback.late': 'The agency should have told you what it has done by {date}: it is late.',
  'followup.next.policy':
    'These are the deadlines of the agency handling the case. Progress and the officers’ messages appear on the follow-up page.',
  'followup.next.paused':
    'The officers have asked you for more information: their deadlines are paused until you answer (below).',
  'followup.next.none': 'No deadline is running now; the agency posts its progress on this page.',
  'followup.next.closed': 'This case is closed.',
  'followup.next.closed.outcome': 'This case is closed. Outcome: {outcome}.',
  'followup.next.closed.tip':
    'This case is closed. The findings on a tip are not shown here, to protect the people concerned; you can still write to the officers below.',
  'followup.status': 'Status',
  'followup.filed': 'Filed',
  'followup.updated': 'Last updated',
  'followup.report': 'Your report',
  'followup.messages': 'Messages',
  'followup.nomessages': 'No messages yet.',
  'followup.you': 'You',
  'followup.reply': 'Reply or add information',
  'followup.send': 'Send message',
  'followup.message': 'Your message',
  'followup.sent': 'Message sent.',
  'followup.error.other_case':
    'This form belonged to a case opened earlier in this browser, so nothing was sent. Check that this page is your case, then send again.',
  'followup.identity.given': 'You gave your identity (kept apart and encrypted).',
  'followup.identity.none': 'You reported anonymously.',
  'case.attachments': 'Attachments',
  'case.category': 'Kind',
  'case.agency': 'Agency',
  'case.what': 'What happened',
  'case.when': 'When',
  'case.where': 'Where',
  'case.who': 'Who is involved',
  'case.download': 'Download',
  'case.unreadable': 'This item cannot be opened (damaged, or sealed with another key).',
  'case.unreadable.alert':
    '{n} item(s) of this case cannot be opened. This is recorded in the audit trail; please tell the administrator. The rest of the case reads as usual.',
  'case.size': '{size}',
  'category.bribery': 'Bribery',
  'category.procurement_fraud': 'Procurement fraud',
  'category.abuse_of_authority': 'Abuse of authority',
  'category.misuse_of_state_property': 'Misuse of state property',
  'category.conflict_of_interest': 'Conflict of interest',
  'category.other': 'Other',
  'status.new': 'New',
  'status.acknowledged': 'Acknowledged',
  'status.closed': 'Closed',
  'removed.gps': 'GPS location',
  'removed.camera': 'Camera make, model and serial number',
  'removed.datetime': 'Date and time the picture was taken',
  'removed.owner': 'Owner or photographer name',
  'removed.software': 'Software and computer name',
  'removed.exif': 'EXIF data',
  'removed.xmp': 'XMP data',
  'removed.iptc': 'IPTC data',
  'removed.comments': 'Comments hidden in the file',
  'removed.icc': 'Colour profile (ICC)',
  'staff.title': 'Staff console',
  'staff.login': 'Staff login',
  'staff.email': 'Email',
  'staff.password': 'Password',
  'staff.error.email_required': 'Enter the email you sign in with.',
  'staff.error.password_required': 'Enter your password.',
  'staff.signin': 'Log in',
  'staff.logout': 'Log out',
  'staff.cases': 'Your agency’s cases',
  'staff.cases.total': '{total} cases',
  'staff.cases.total.capped': 'More than {total} cases',
  'staff.cases.none': 'No cases yet.',
  'staff.ledger': 'The platform’s public ledger',
  'staff.ledger.hint': 'Verifier key, for oversight bodies and reporters to check checkpoints and filing certificates:',
  'staff.cases.reference': 'Reference',
  'staff.cases.filed': 'Filed',
  'staff.cases.updated': 'Updated',
  'staff.cases.identity': 'Identity given',
  'staff.page': 'Page {page} of {pages}',
  'staff.page.open': 'Page {page}',
  'staff.prev': 'Previous page',
  'staff.next': 'Next page',
  'staff.back': 'Back to the case list',
  'staff.setstatus': 'Change status',
  'staff.save': 'Save',
  'staff.reply': 'Reply to the reporter',
  'staff.message': 'Message to the reporter',
  'staff.reply.hint': 'The reporter sees you as “{role}”, not by name.',
  'staff.identity': 'Reporter’s identity',
  'staff.identity.reveal': 'Reveal the reporter’s identity (recorded in the audit trail)',
  'staff.identity.none': 'The reporter stayed anonymous.',
  'staff.reporter': 'Reporter',
  'staff.audited': 'Opening this case was recorded in the audit trail.',
  'staff.yes': 'Yes',
  'staff.no': 'No',
  'error.title': 'Something went wrong',
  'error.form': 'Please check the fields marked below.',
  'error.count': '{n} problem(s) found',
  'error.field.required': 'Please fill in this field.',
  'error.field.too_long': 'This text is too long.',
  'error.field.invalid': 'This value is not valid.',
  'error.not_found': 'The page or case was not found.',
  'error.conflict': 'This already exists.',
  'error.login_failed': 'Wrong email, password or authentication code.',
  'error.unauthorized': 'Please log in.',
  'error.receipt_wrong': 'No case was found for this tracking code. Check the 16 digits and try again.',
  'error.receipt_empty': 'Enter the 16-digit tracking code you were given when you filed.',
  'error.file_too_large':
    'A file is too large ({fileMb} MB per file). What you typed is still here: attach a smaller file and send again.',
  'error.report_too_large':
    'The attachments together are too large ({totalMb} MB). What you typed is still here: attach fewer or smaller files.',
  'error.too_many_files': 'At most {count} files can be attached.',
  'error.bad_image': 'This picture could not be read; the file may be damaged.',
  'error.agency_unknown': 'Please choose an agency from the list.',
  'error.unavailable':
    'The platform cannot store anything right now. Your report has NOT been saved. Please try again in a moment.',
  'error.csrf': 'The form expired or was not valid. Please send it again.',
  'error.internal': 'Something went wrong on our side. Please try again.',
  'error.too_many_requests': 'Too many requests. Please wait a moment.',
  'error.rate_limited': 'Too many wrong attempts were made just now. Please try again in a moment.',
  'error.bad_request': 'The request was not valid.',
  'error.unsupported_media_type': 'This kind of content is not accepted here.',
  'error.reselect_files': 'For your safety, attachments are not kept: please choose the files again.',
};

const PARTS = [
  admin,
  consoleTexts,
  deadlines,
  search,
  complaints,
  permits,
  line,
  itaSurvey,
  itaCycle,
  itaResults,
  itaPublic,
  filing,
  spam,
  privacy,
  ledgerPage,
  retention,
  procurement,
  risk,
  opendata,
  ethics,
  ethicsQa,
  declarations,
  units,
];

/** The base dictionary and every part's, refusing a key defined twice. */
function merge(base: Dict, parts: Dict[]): Dict {
  const out: Dict = { ...base };
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      if (k in out) throw new Error(`translation key ${k} defined twice`);
      out[k] = v;
    }
  }
  return out;
}

const DICTS: Record<Lang, Dict> = {
  th: merge(
    th,
    PARTS.map((p) => p.th),
  ),
  en: merge(
    en,
    PARTS.map((p) => p.en),
  ),
};

export type T = (key: string, params?: Record<string, string | number>) => string;

/** A translator for one language; an unknown key shows itself so that tests catch it. */
export function translator(lang: Lang): T {
  const dict = DICTS[lang];
  return (key, params) => {
    const text = dict[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`)) : text;
  };
}

export function messageKeys(lang: Lang): string[] {
  return Object.keys(DICTS[lang]);
}

export function isLang(v: unknown): v is Lang {
  return v === 'th' || v === 'en';
}

/** Dates as Thai readers expect them: Buddhist Era, Bangkok time (2 ม.ค. 2569 14:05). */
export function formatDate(lang: Lang, date: Date): string {
  return new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB-u-ca-buddhist', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Bangkok',
  }).format(date);
}

/** The calendar day of a moment in Bangkok, Buddhist Era, for dates ahead (15 มกราคม 2569). */
export function formatDayOf(lang: Lang, date: Date): string {
  return new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB-u-ca-buddhist', {
    dateStyle: 'long',
    timeZone: 'Asia/Bangkok',
  }).format(date);
}

/** A calendar month given as YYYY-MM, Buddhist Era (พฤศจิกายน 2569; November 2569 BE); anything else as given. */
export function formatMonth(lang: Lang, month: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return month;
  return new Intl.DateTimeFormat(lang === 'th' ? 'th-TH' : 'en-GB-u-ca-buddhist', {
    year: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 15)));
}

export function formatSize(lang: Lang, bytes: number): string {
  const f = new Intl.NumberFormat(lang === 'th' ? 'th-TH' : 'en-GB', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${f.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${f.format(bytes / 1024)} KB`;
  return `${f.format(bytes / 1024 / 1024)} MB`;
}
