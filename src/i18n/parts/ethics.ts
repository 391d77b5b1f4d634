// Ethics learning, the ethics question service and interest and asset declarations (issue 18).
export const th: Record<string, string> = {
  'admin.role.ethics_officer': 'เจ้าหน้าที่ส่งเสริมจริยธรรม',
  'admin.role.ethics_officer.hint': 'จัดทำหลักสูตร แบบทดสอบ และคลังความรู้ด้านจริยธรรม ตอบคำถามที่ส่งต่อมา ไม่อ่านเรื่อง',
  'admin.role.declaration_reviewer': 'ผู้ตรวจสอบบัญชีแสดงทรัพย์สินและส่วนได้เสีย',
  'admin.role.declaration_reviewer.hint': 'อ่านบัญชีที่เจ้าหน้าที่ของหน่วยงานยื่น และผลการตรวจสอบอัตโนมัติ ไม่อ่านเรื่อง',
};

export const en: Record<string, string> = {
  'admin.role.ethics_officer': 'Ethics officer',
  'admin.role.ethics_officer.hint':
    'writes ethics courses, tests and the knowledge base; answers questions sent on; reads no case',
  'admin.role.declaration_reviewer': 'Declaration reviewer',
  'admin.role.declaration_reviewer.hint':
    'reads the interest and asset declarations of the agency’s staff and their automatic checks; reads no case',
};
