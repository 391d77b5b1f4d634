// The daily push of the lesson of the day (SUJARIT_LINE_LESSON_HOUR; off when unset): from that
// hour, Thailand time, each linked staff member of an agency with a published course is pushed
// the same answer as "บทเรียนวันนี้" once a day, through the outbox, in the transaction that marks
// the day pushed (a crash pushes nothing twice and loses nothing).
import { firstCourse } from '../../ethics/daily.ts';
import type { LineDeps } from './deps.ts';
import { enqueue } from './outbox.ts';
import { lessonOfTheDay } from './staff-conversation.ts';
import { dueForLesson, markLessonPushed, saveStaffState } from './staff-link.ts';

/** Thailand keeps UTC+7 all year (no daylight saving). */
const THAILAND_MS = 7 * 3600_000;

/** The Thailand date ('YYYY-MM-DD') and hour of `now`. */
export function thaiClock(now: Date): { today: string; hour: number } {
  const local = new Date(now.getTime() + THAILAND_MS);
  return { today: local.toISOString().slice(0, 10), hour: local.getUTCHours() };
}

/** Pushes the lessons due (up to `limit`). Returns how many links were handled (0: none due, or before the hour). */
export async function pushLessons(deps: LineDeps, now = new Date(), limit = 50): Promise<number> {
  const hour = deps.config.line?.lessonHour ?? null;
  const clock = thaiClock(now);
  if (hour === null || clock.hour < hour) return 0;
  return deps.db.transaction().execute(async (trx) => {
    const due = await dueForLesson(trx, deps.keys, clock.today, limit);
    for (const { link, lineUserId } of due) {
      await markLessonPushed(trx, link.userId, clock.today);
      if ((await firstCourse(trx, { id: link.userId, agencyId: link.agencyId })) === null) continue;
      const messages = await lessonOfTheDay(trx, deps, link);
      await saveStaffState(trx, deps.keys, link.userId, link.state);
      await enqueue(trx, deps.keys, { to: lineUserId, replyToken: null, messages });
    }
    return due.length;
  });
}
