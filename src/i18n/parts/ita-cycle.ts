// Texts of the ITA: the staff pages of an assessment cycle: opening, links, OIT self-check, reminders. Thai and English (merged by ../messages.ts).
export const th: Record<string, string> = {
  'ita.nav': 'การประเมิน ITA',
  'ita.error.closed': 'รอบการประเมินนี้ปิดแล้ว',
  'ita.error.fiscal_year': 'ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569',
  'ita.error.staff_count': 'จำนวนบุคลากรต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป',
  'ita.error.framework': 'เลือกกรอบการประเมินจากรายการ',
  'ita.error.year_taken': 'หน่วยงานมีรอบการประเมินของปีงบประมาณนี้แล้ว',
};

export const en: Record<string, string> = {
  'ita.nav': 'ITA assessment',
  'ita.error.closed': 'This assessment cycle is closed',
  'ita.error.fiscal_year': 'The fiscal year must be a Buddhist Era year, such as 2569',
  'ita.error.staff_count': 'The number of staff must be a whole number, 1 or more',
  'ita.error.framework': 'Choose a framework from the list',
  'ita.error.year_taken': 'The agency already has an assessment cycle for this fiscal year',
};
