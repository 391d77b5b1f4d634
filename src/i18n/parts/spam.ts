// Texts of marking a flood as spam from the staff inbox, Thai and English (merged by ../messages.ts).
export const th: Record<string, string> = {
  'spam.select': 'เลือก',
  'spam.select.label': 'เลือกเรื่อง {reference}',
  'spam.selected': 'ทำเครื่องหมายเรื่องที่เลือกว่าเป็นสแปม…',
  'spam.page': 'ทำเครื่องหมายทุกเรื่องในหน้านี้ที่ยังไม่ผ่านการคัดกรองว่าเป็นสแปม…',
  'spam.per_page': 'แสดงหน้าละ {n} เรื่อง',
  'spam.title': 'ทำเครื่องหมายว่าเป็นสแปม',
  'spam.confirm.lead':
    'เรื่องต่อไปนี้ {n} เรื่องจะถูกยุติเรื่องด้วยผล “ไม่มีมูลหรือกลั่นแกล้ง” ทีละเรื่อง โดยบันทึกในประวัติ บันทึกการตรวจสอบ และบัญชีสาธารณะ ผู้แจ้งจะเห็นว่าเรื่องถูกยุติและผลของเรื่อง ทำได้เฉพาะเรื่องที่ยังไม่ผ่านการคัดกรอง (ใหม่ รับเรื่องแล้ว หรือกำลังคัดกรอง)',
  'spam.reason': 'เหตุผล (บันทึกไว้ให้ทีมผู้รับผิดชอบเรื่องเห็น)',
  'spam.reason.default': 'เรื่องนี้เป็นส่วนหนึ่งของการส่งเรื่องอัตโนมัติจำนวนมากที่ไม่มีเนื้อหาเป็นเรื่องร้องเรียน',
  'spam.confirm': 'ยืนยัน ทำเครื่องหมาย {n} เรื่องว่าเป็นสแปม',
  'spam.cancel': 'ยกเลิก กลับไปที่รายการเรื่อง',
  'spam.done.marked': 'ยุติเรื่องในฐานะสแปมแล้ว {n} เรื่อง',
  'spam.done.skipped': 'ข้ามไป {n} เรื่อง',
  'spam.why.not_found': 'ไม่พบเรื่อง',
  'spam.why.forbidden': 'คุณไม่มีสิทธิ์ในเรื่องนี้',
  'spam.why.state': 'ผ่านการคัดกรองแล้วหรือยุติไปแล้ว',
  'spam.none': 'ยังไม่ได้เลือกเรื่อง',
  'spam.too_many': 'เลือกได้ครั้งละไม่เกิน 200 เรื่อง',
};

export const en: Record<string, string> = {
  'spam.select': 'Select',
  'spam.select.label': 'Select case {reference}',
  'spam.selected': 'Mark the selected cases as spam…',
  'spam.page': 'Mark every case on this page not yet past screening as spam…',
  'spam.per_page': 'Show {n} cases a page',
  'spam.title': 'Mark as spam',
  'spam.confirm.lead':
    'These {n} cases will each be closed with the outcome “unfounded or malicious”, recorded in their history, the audit trail and the public ledger. The reporter sees the case closed and its outcome. Only cases not yet past screening (new, acknowledged or screening) are marked.',
  'spam.reason': 'Reason (kept for the case team)',
  'spam.reason.default': 'This case is part of a flood of automated submissions that contain no complaint.',
  'spam.confirm': 'Confirm: mark {n} cases as spam',
  'spam.cancel': 'Cancel, back to the cases',
  'spam.done.marked': '{n} cases closed as spam',
  'spam.done.skipped': '{n} cases skipped',
  'spam.why.not_found': 'no such case',
  'spam.why.forbidden': 'not yours to move',
  'spam.why.state': 'already past screening or closed',
  'spam.none': 'No case was selected.',
  'spam.too_many': 'At most 200 cases can be marked at once.',
};
