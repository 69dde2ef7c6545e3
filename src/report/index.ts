export { gatherReportData, type ReportData, type Row } from './data';
export { renderReport, type ReportMeta } from './html';
