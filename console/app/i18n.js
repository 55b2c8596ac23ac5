// @ts-check
// The console's own words in Chinese (the default) and English. Texts that come from the
// API (problem details, report notes) arrive already in the language asked for by
// Accept-Language, which follows the same choice.

/** @typedef {'zh-CN' | 'en'} Lang */

const LANG_KEY = 'vh.lang';

/** @type {Record<string, [string, string]>} key: [中文, English] */
const WORDS = {
  app: ['志愿服务时长', 'Volunteer hours'],
  login: ['登录', 'Log in'],
  logout: ['退出登录', 'Log out'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  language: ['语言', 'Language'],
  loading: ['正在载入…', 'Loading…'],
  saving: ['正在提交…', 'Sending…'],
  'network-error': ['网络不通，未能送达服务器。草稿已保存，可稍后重新提交。', 'The network is down: nothing reached the service. The draft is kept; send it again later.'],
  'session-expired': ['登录已过期，请重新登录。', 'The session has ended; please log in again.'],
  events: ['活动', 'Events'],
  roster: ['登记时长', 'Record hours'],
  entries: ['时长记录', 'Entries'],
  volunteers: ['志愿者', 'Volunteers'],
  review: ['审核', 'Review'],
  branches: ['支部', 'Branches'],
  accounts: ['账号', 'Accounts'],
  totals: ['统计', 'Totals'],
  'my-hours': ['我的时长', 'My hours'],
  'my-events': ['报名与签到', 'Sign-up and check-in'],
  upcoming: ['即将开始', 'Upcoming'],
  ongoing: ['进行中', 'Open'],
  past: ['已结束', 'Past'],
  all: ['全部', 'All'],
  search: ['搜索', 'Search'],
  'search-name': ['按姓名搜索', 'Search by name'],
  'select-all': ['全选', 'Select all'],
  'select-none': ['全不选', 'Select none'],
  selected: ['已选 {n} 人', '{n} selected'],
  'selected-entries': ['已选 {n} 条', '{n} selected'],
  minutes: ['分钟', 'Minutes'],
  hours: ['小时', 'Hours'],
  role: ['岗位', 'Role'],
  note: ['备注', 'Note'],
  submit: ['提交', 'Submit'],
  resend: ['重新提交', 'Send again'],
  'discard-draft': ['放弃草稿', 'Discard draft'],
  'draft-pending': ['有一份未确认送达的草稿（{n} 人），重新提交不会重复登记。', 'A draft of {n} was not confirmed as received; sending it again never records twice.'],
  'recorded-n': ['已登记 {n} 条时长，待审核。', '{n} entries recorded, awaiting review.'],
  'pick-event': ['选择活动', 'Pick an event'],
  'default-minutes': ['默认时长（分钟）', 'Default minutes'],
  'event-length': ['按活动时长', 'Event length'],
  'by-times': ['按起止时间', 'By start and end'],
  start: ['开始', 'Start'],
  end: ['结束', 'End'],
  date: ['日期', 'Date'],
  volunteer: ['志愿者', 'Volunteer'],
  event: ['活动', 'Event'],
  branch: ['支部', 'Branch'],
  status: ['状态', 'Status'],
  source: ['来源', 'Source'],
  actions: ['操作', 'Actions'],
  withdraw: ['撤回', 'Withdraw'],
  edit: ['修改', 'Edit'],
  save: ['保存', 'Save'],
  cancel: ['取消', 'Cancel'],
  correct: ['更正', 'Correct'],
  reason: ['理由', 'Reason'],
  'reason-required': ['请填写理由', 'A reason is required'],
  approve: ['通过', 'Approve'],
  reject: ['驳回', 'Reject'],
  'approve-selected': ['通过所选', 'Approve selected'],
  'reject-selected': ['驳回所选', 'Reject selected'],
  'reviewed-n': ['已处理 {n} 条。', '{n} reviewed.'],
  'queue-empty': ['没有待审核的记录。', 'Nothing awaits review.'],
  history: ['变更记录', 'History'],
  add: ['新增', 'Add'],
  archive: ['归档', 'Archive'],
  name: ['姓名', 'Name'],
  phone: ['手机', 'Phone'],
  number: ['编号', 'Number'],
  tags: ['标签', 'Tags'],
  gender: ['性别', 'Gender'],
  male: ['男', 'Male'],
  female: ['女', 'Female'],
  code: ['代码', 'Code'],
  parent: ['上级', 'Parent'],
  disabled: ['已停用', 'Disabled'],
  enabled: ['正常', 'Active'],
  'group-by': ['分组', 'Group by'],
  from: ['起', 'From'],
  to: ['止', 'To'],
  'plan-item': ['工作要点', 'Plan item'],
  category: ['类别', 'Category'],
  month: ['月份', 'Month'],
  'download-csv': ['下载 CSV', 'Download CSV'],
  'download-xlsx': ['下载 Excel', 'Download Excel'],
  'total-hours': ['总时长（小时）', 'Total hours'],
  'entry-count': ['条数', 'Entries'],
  'volunteer-count': ['人数', 'Volunteers'],
  overall: ['合计', 'Overall'],
  kind: ['类型', 'Kind'],
  chart: ['按{by}的时长', 'Hours by {by}'],
  'approved-total': ['已认定时长', 'Approved hours'],
  'star-level': ['{n} 星志愿者', '{n}-star volunteer'],
  'no-star': ['尚未达到星级', 'No star yet'],
  'next-star': ['距 {n} 星还差 {h} 小时', '{h} hours to {n} stars'],
  'top-star': ['已达最高星级', 'The highest star level'],
  certificates: ['志愿服务记录证明', 'Certificates'],
  'download-pdf': ['下载 PDF', 'Download PDF'],
  revoked: ['已撤销', 'Revoked'],
  'sign-up': ['报名', 'Sign up'],
  'cancel-signup': ['取消报名', 'Cancel sign-up'],
  'check-in': ['签到', 'Check in'],
  'check-out': ['签退', 'Check out'],
  'enter-code': ['输入现场显示的 6 位签到码（或扫码所得内容）', 'The 6-digit code shown at the event (or what the QR code reads)'],
  'checked-in': ['签到成功', 'Checked in'],
  'checked-out': ['签退成功，时长已登记待审核', 'Checked out; the hours await review'],
  'checkin-code': ['签到码', 'Check-in code'],
  'code-expires': ['{s} 秒后更新', 'changes in {s} s'],
  attendance: ['签到情况', 'Attendance'],
  signups: ['报名', 'Sign-ups'],
  admit: ['录用', 'Admit'],
  decline: ['不录用', 'Decline'],
  admitted: ['已录用 {n}', '{n} admitted'],
  previous: ['上一页', 'Previous'],
  next: ['下一页', 'Next'],
  'page-of': ['第 {page} / {pages} 页，共 {total} 条', 'Page {page} of {pages}, {total} in all'],
  nothing: ['暂无内容', 'Nothing here'],
  'row-errors': ['以下各行有误，未登记任何时长：', 'Nothing was recorded; these rows need fixing:'],
  'forbidden-role': ['此账号的角色没有控制台页面。', 'This account’s role has no console pages.'],
  menu: ['菜单', 'Menu'],
  audit: ['审计记录', 'Audit'],
  close: ['关闭', 'Close'],
  'no-volunteer-link': ['此账号未关联志愿者。', 'This account is not linked to a volunteer.'],
  'confirm-withdraw': ['确定撤回这条记录？', 'Withdraw this entry?'],
  'new-minutes': ['增减分钟数（负数为减少）', 'Minutes to add (negative takes off)'],
  capacity: ['名额', 'Places'],
  place: ['地点', 'Place'],
  'show-code': ['签到码', 'Code'],
  'record-roster': ['登记时长', 'Record hours'],
  record: ['志愿服务记录', 'Service record'],
  'as-of': ['截至 {at}', 'As of {at}'],
  'pending-hours': ['另有 {h} 小时待审核', '{h} hours await review'],
  'basic-info': ['基本信息', 'Basic information'],
  joined: ['注册日期', 'Joined'],
  'service-part': ['服务情况', 'Service'],
  'training-part': ['培训情况', 'Training'],
  commendations: ['表彰奖励情况', 'Commendations'],
  evaluations: ['评价情况', 'Evaluations'],
  'open-reports': ['待处理的更正申请', 'Error reports awaiting a decision'],
  'by-year': ['按年度', 'By year'],
  'by-plan-item': ['按工作要点', 'By plan item'],
  year: ['年度', 'Year'],
  purpose: ['用途（备注）', 'Purpose (remarks)'],
  'issue-certificate': ['开具证明', 'Issue a certificate'],
  'new-event': ['新建活动', 'New event'],
  title: ['名称', 'Title'],
  organiser: ['组织支部', 'Organiser'],
  'signup-mode': ['报名方式', 'Sign-up'],
  'plan-items-of': ['{year} 年工作要点', 'Plan items of {year}'],
  'no-plan': ['{year} 年尚无工作计划。', 'There is no plan for {year}.'],
  description: ['说明', 'Description'],
  'to-open': ['开始活动', 'Open'],
  'to-completed': ['结束活动', 'Complete'],
  'to-cancelled': ['取消活动', 'Cancel the event'],
  delete: ['删除', 'Delete'],
  'confirm-delete-event': ['确定删除这个活动？已有时长的活动只能取消或结束。', 'Delete this event? An event with hours can only be cancelled or completed.'],
  'new-branch': ['新建支部', 'New branch'],
  restore: ['恢复', 'Restore'],
  'new-account': ['新建账号', 'New account'],
  'new-password': ['重置密码（留空不改）', 'New password (blank keeps it)'],
  'last-login': ['最近登录', 'Last login'],
  locked: ['已锁定', 'Locked'],
  enable: ['启用', 'Enable'],
  disable: ['停用', 'Disable'],
  'linked-volunteer': ['关联志愿者', 'Linked volunteer'],
  'view-record': ['记录', 'Record'],
  'branch-name': ['名称', 'Name'],
  'account-role': ['角色', 'Role'],
};

/** @type {Record<string, [string, string]>} */
const ENUMS = {
  'status.submitted': ['待审核', 'Submitted'],
  'status.approved': ['已通过', 'Approved'],
  'status.rejected': ['已驳回', 'Rejected'],
  'status.withdrawn': ['已撤回', 'Withdrawn'],
  'event.planned': ['未开始', 'Planned'],
  'event.open': ['进行中', 'Open'],
  'event.completed': ['已结束', 'Completed'],
  'event.cancelled': ['已取消', 'Cancelled'],
  'source.entered': ['录入', 'Entered'],
  'source.error_report': ['更正申请', 'Error report'],
  'source.check_in': ['签到签退', 'Check-in'],
  'source.imported': ['导入', 'Imported'],
  'role.admin': ['管理员', 'Administrator'],
  'role.secretary': ['支部书记', 'Secretary'],
  'role.hr': ['人事', 'HR'],
  'role.volunteer': ['志愿者', 'Volunteer'],
  'vstatus.active': ['在册', 'Active'],
  'vstatus.inactive': ['暂停', 'Inactive'],
  'vstatus.archived': ['已归档', 'Archived'],
  'signup.applied': ['待审核', 'Applied'],
  'signup.admitted': ['已录用', 'Admitted'],
  'signup.waitlisted': ['候补', 'Waiting list'],
  'signup.declined': ['未录用', 'Declined'],
  'signup.cancelled': ['已取消', 'Cancelled'],
  'presence.checked_in': ['已签到', 'Checked in'],
  'presence.checked_out': ['已签退', 'Checked out'],
  'presence.no_show': ['未到', 'No-show'],
  'kind.service': ['志愿服务', 'Service'],
  'kind.training': ['培训', 'Training'],
  'group.volunteer': ['志愿者', 'volunteer'],
  'group.branch': ['支部', 'branch'],
  'group.plan_item': ['工作要点', 'plan item'],
  'group.event': ['活动', 'event'],
  'group.category': ['类别', 'category'],
  'group.month': ['月份', 'month'],
  'group.source': ['来源', 'source'],
  'level.national': ['国家级', 'National'],
  'level.provincial': ['省级', 'Provincial'],
  'level.city': ['市级', 'City'],
  'level.district': ['区县级', 'District'],
  'level.unit': ['单位', 'Unit'],
  'rating.excellent': ['优秀', 'Excellent'],
  'rating.good': ['良好', 'Good'],
  'rating.satisfactory': ['合格', 'Satisfactory'],
  'rating.unsatisfactory': ['不合格', 'Unsatisfactory'],
  'report.missing': ['遗漏', 'Missing'],
  'report.wrong': ['有误', 'Wrong'],
  'signup-mode.none': ['无需报名', 'No sign-up'],
  'signup-mode.open': ['自由报名', 'Open'],
  'signup-mode.approval': ['报名需审核', 'Needs approval'],
  'category.lei_feng_day': ['学雷锋日', 'Lei Feng Day'],
  'category.international_volunteer_day': ['国际志愿者日', 'International Volunteer Day'],
  'category.large_event': ['大型活动', 'Large event'],
  'category.civilised_traffic': ['文明交通', 'Civilised traffic'],
  'category.metro_guidance': ['地铁引导', 'Metro guidance'],
  'category.tree_planting': ['植树', 'Tree planting'],
  'category.blood_donation': ['无偿献血', 'Blood donation'],
  'category.autumn_student_aid': ['金秋助学', 'Autumn student aid'],
  'category.new_year_visits': ['新春走访', 'New Year visits'],
  'category.garbage_sorting': ['垃圾分类', 'Garbage sorting'],
  'category.energy_saving': ['节能宣传', 'Energy saving'],
  'category.integrity': ['廉洁教育', 'Integrity'],
  'category.festival': ['节日活动', 'Festival'],
  'category.reading': ['读书活动', 'Reading'],
  'category.training': ['培训', 'Training'],
  'category.emergency': ['应急', 'Emergency'],
  'category.community_pairing': ['社区结对', 'Community pairing'],
  'category.other': ['其他', 'Other'],
};

/** @returns {Lang} */
function stored() {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** @type {Lang} */
let current = stored();

/** @returns {Lang} */
export function lang() {
  return current;
}

/** @param {Lang} next */
export function setLang(next) {
  current = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // private browsing: the choice lasts until the page is closed
  }
  document.documentElement.lang = next;
}

/**
 * @param {[string, string] | undefined} pair
 * @param {string} fallback
 * @param {Record<string, string | number>} [args]
 */
function pick(pair, fallback, args) {
  let text = pair ? pair[current === 'en' ? 1 : 0] : fallback;
  for (const [k, v] of Object.entries(args ?? {})) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

/**
 * A word of the console.
 * @param {string} key
 * @param {Record<string, string | number>} [args]
 */
export function t(key, args) {
  return pick(WORDS[key], key, args);
}

/**
 * The label of an API enum value, e.g. `label('status', 'approved')`.
 * @param {string} kind
 * @param {string | null | undefined} value
 */
export function label(kind, value) {
  if (value == null) return '';
  return pick(ENUMS[`${kind}.${value}`], value);
}

/** Every category value, for pickers. */
export const CATEGORIES = Object.keys(ENUMS)
  .filter((k) => k.startsWith('category.'))
  .map((k) => k.slice('category.'.length));
