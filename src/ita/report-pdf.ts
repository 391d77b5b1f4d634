// The monitoring report as a PDF (seed 003's structure, Thai official style). (Skeleton: being written.)
import type { MonitoringReport } from './types.ts';

/** Renders the report; A4, Sarabun, Buddhist Era dates, Thai digits when asked. */
export async function renderMonitoringPdf(_report: MonitoringReport): Promise<Buffer> {
  throw new Error('not implemented yet');
}
