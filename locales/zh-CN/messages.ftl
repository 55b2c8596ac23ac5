# volunteer-hours：客户端读到的文字，简体中文。
# 每条消息一个键；`{ $name }` 为参数。指针、问题类型和字段值不在此处：它们在各语言中相同。
# 此处每个键也在 ../en/messages.ftl 中（单元测试双向检查）。

## 问题标题，每个稳定的问题类型一个

title-bad-request = 请求有误
title-malformed-json = JSON 格式错误
title-invalid-parameter = 参数无效
title-validation = 校验未通过
title-unauthorized = 未登录或登录已失效
title-forbidden = 无权操作
title-not-found = 未找到
title-method-not-allowed = 不支持该请求方法
title-conflict = 冲突
title-precondition-failed = 前提条件不满足
title-payload-too-large = 请求体过大
title-uri-too-long = 请求地址过长
title-unsupported-media-type = 不支持的媒体类型
title-precondition-required = 缺少前提条件
title-too-many-requests = 请求过于频繁
title-service-unavailable = 服务暂不可用
title-internal = 服务器内部错误

## 问题详情

located = { $pointer }：{ $detail }
invalid-fields = 有 { $count } 个字段无效
invalid-parameters = 有 { $count } 个参数无效
not-found = 该资源不存在，或不在您的权限范围内
method-not-allowed = 该资源不支持此请求方法（见 Allow）
precondition-failed = 该资源自读取后已被修改
payload-too-large = 请求体超过了服务器接受的大小（MAX_BODY_BYTES）
uri-too-long = 请求的路径和查询超过了服务器读取的长度（{ $bytes } 字节）
precondition-required = 此请求需要 If-Match 请求头
too-many-requests = 请求过于频繁，请在 { $seconds } 秒后重试
internal = 服务器未能处理此请求
entries-conflict = { $what }：工时记录 { $named }{ $more ->
        [0] {""}
       *[other] 等，另有 { $more } 条
    }
bare-status = 无法处理此请求（{ $status } { $reason }）

## 数据库与服务

database-busy = 数据库不可用或繁忙，请稍后重试
database-unavailable = 数据库不可用，请稍后重试
database-too-slow = 数据库响应超时，请稍后重试
serialization-failure = 该请求与另一请求冲突，请重试
service-unavailable = 服务暂不可用，请稍后重试
too-many-logins = 同时登录的人数过多，请稍后重试
unique-violation = 已存在具有相同唯一值的对象
foreign-key-violation = 引用的对象不存在或仍在使用中
check-violation = 某个值超出了允许的范围

## 请求：请求体、参数、请求头

body-not-json = 请以 Content-Type: application/json 发送请求体
unsupported-content-type = 不支持的 Content-Type
body-unreadable = 无法读取请求体：{ $cause }
body-not-object = 请求体必须是 JSON 对象
json-expected-object = 应为 JSON 对象
json-eof = JSON 在第 { $line } 行第 { $column } 列提前结束
json-syntax = 第 { $line } 行第 { $column } 列不是有效的 JSON：{ $cause }
json-invalid-type = 类型错误：收到 { $found }，应为 { $expected }
json-invalid-value = 取值错误：收到 { $found }，应为 { $expected }
json-invalid-length = 长度错误：收到 { $found }，应为 { $expected }
json-unknown-field = 未知字段 `{ $field }`
json-unknown-variant = 未知取值 `{ $variant }`，可选值：{ $allowed }
json-missing-field = 缺少字段 `{ $field }`
json-duplicate-field = 字段 `{ $field }` 重复
json-other = 取值无效：{ $cause }
kind-integer = 整数
kind-number = 数字
kind-string = 字符串
kind-boolean = 布尔值
kind-array = 数组
kind-object = 对象
kind-id = 不小于 1 的编号
kind-null = 空值 null
kind-other = 「{ $text }」
kind-string-value = 字符串 { $value }
kind-integer-value = 整数 { $value }
kind-number-value = 数字 { $value }
kind-boolean-value = 布尔值 { $value }
text-has-nul = 不得包含 NUL 字符（\u0000）
field-name-has-nul = 字段名不得包含 NUL 字符（\u0000）
query-unreadable = 无法读取查询参数：{ $cause }
path-unreadable = 无法读取路径：{ $cause }
url-has-nul = 不得包含 NUL 字符（%00）
id-not-canonical = 编号须用十进制书写，不带正负号或前导零，例如 /volunteers/1
if-match-form = 必须是 `*` 或本服务发出的 ETag，例如 "3"
idempotency-key-required = 此请求需要 Idempotency-Key 请求头（每次提交用一个新的随机值，重试时沿用）
idempotency-key-form = Idempotency-Key 必须是 1 到 255 个可见 ASCII 字符
idempotency-key-reused = 此 Idempotency-Key 已用于另一个不同的请求；新的提交请使用新的键
idempotency-in-progress = 使用此 Idempotency-Key 的请求仍在处理中，请稍后重试

## 字段规则

between = 必须在 { $min } 到 { $max } 之间
text-length = 必须为 { $min } 到 { $max } 个字符
text-length-trimmed = 必须为 1 到 { $max } 个字符，且首尾不含空格
text-untrimmed = 首尾不得有空白字符
at-least-characters = 至少 { $min } 个字符
at-most-characters = 至多 { $max } 个字符
code-form = 必须为 1 到 32 个 A-Z、0-9、'_' 和 '-' 字符
phone-form = 必须为 5 到 20 位数字，可以 '+' 开头
tag-form = 必须为 1 到 40 个 a-z、0-9 和 '_' 字符
username-form = 只能包含 a-z、0-9、'.'、'_' 和 '-'
must-be-after = 必须晚于 { $other }
not-one-of = `{ $value }` 不是 { $allowed } 之一
appears-twice = 重复出现
not-after-today = 不能晚于今天（{ $today }）

## 登录与账号

invalid-access-token = 访问令牌缺失、无效或已过期
authentication-required = 需要登录
not-allowed = 不允许此操作
role-may-not = { $role } 角色不能进行此操作
bad-credentials = 用户名或密码错误
invalid-refresh-token = 刷新令牌无效、已过期或已被撤销
not-current-password = 不是当前密码
password-changed-meanwhile = 密码已在此期间被修改，请重新登录
password-is-username = 不能与用户名相同
secretary-needs-branch = 书记账号需要指定支部
volunteer-account-needs-volunteer = 志愿者账号需要关联一名志愿者
username-taken = 用户名 `{ $username }` 已被占用
volunteer-has-account = 该志愿者已有账号
admin-keeps-itself = 管理员不能停用自己或降低自己的角色

## 支部、志愿者、计划

no-such-branch = 没有该支部
no-such-branch-in-scope = 您的权限范围内没有该支部
no-such-volunteer = 没有该志愿者
no-such-volunteer-in-scope = 您的权限范围内没有该志愿者
branch-under-itself = 支部不能移到自身或其下级支部之下
branch-in-use = 该支部已有志愿者、工时、活动、账号或下级支部，请改为归档
branch-code-taken = 支部代码 `{ $code }` 已被占用
at-most-tags = 至多 { $max } 个标签
volunteer-number-taken = 该志愿者编号已被其他志愿者使用
volunteer-in-use = 该志愿者已有工时、表彰奖励、证明或账号，请改为归档
year-has-plan = { $year } 年已有工作计划
plan-needs-section = 计划至少需要一个部分
section-twice = 第 { $number } 部分重复出现
section-needs-item = 每个部分至少需要一项
item-twice = 第 { $number } 项重复出现
no-branch-before = 在此之前没有支部 `{ $code }`
branch-twice = 支部 `{ $code }` 重复出现
no-branch-code = 没有支部 `{ $code }`
no-volunteer-number = 没有志愿者 `{ $number }`
no-event-key = 没有活动 `{ $key }`
volunteer-not-active = 该志愿者不在册
in-plan-year = 必须在计划年度 { $year } 年内
plan-has-no-item = 计划中没有第 { $number } 项
second-entry-same-day = 同一志愿者在同一活动同一天的第二条记录

## 志愿记录：表彰奖励与评价

evaluation-needs-approved-entry = 志愿者 { $volunteer } 在活动 { $event } 没有已通过审核的工时记录：只评价在该活动记录并审核通过的服务

## 活动

event-needs-plan-item = 活动至少要服务于一项计划事项
at-most-plan-items = 至多 { $max } 项计划事项
not-item-of-plan = 不是 { $year } 年计划中的事项
new-event-status = 新活动的状态只能是 planned 或 open
event-cannot-go = 活动不能从 { $from } 变为 { $to }
event-has-hours = 该活动已有工时，请改为取消或完成该活动
kind-fixed-once-approved = 活动已有工时通过审核后，类别和计划事项即固定（管理员可以修订：POST /api/v1/events/{ $event }/amendments）
times-leave-hours-outside = 新的时间会使已记录的工时落在活动时间之外
amendment-changes-nothing = 此次修订没有改动 starts_at、ends_at、category 和 plan_item_ids 中的任何一项

## 工时

roster-size = 一份名单包含 1 到 { $max } 条记录
ids-count = 1 到 { $max } 个编号
volunteer-is = 该志愿者状态为 { $status }
volunteer-day-twice = 同一志愿者的同一天在此名单中出现了两次
overlaps-in-roster = 与同一志愿者的 { $other } 时间重叠：一个人同一时间只能在一个地方
service-overlaps-recorded = 服务时间与该志愿者已记录的其他服务重叠（一个人同一时间只能在一个地方）
entries-overlap-recorded = { $entries } 与该志愿者已记录的其他服务时间重叠（一个人同一时间只能在一个地方）
event-cancelled = 该活动已取消
duplicates-entry = 与工时记录 { $existing } 重复（志愿者 { $volunteer }，本活动，{ $date }）；请更正那条记录
roster-entry = 记录 { $entry }：{ $detail }
over-daily-cap = 该志愿者在 { $date } 将有 { $total } 分钟；每天至多 { $cap } 分钟
outside-event-window = 服务时间必须在活动时间之内（含配置的容差）
minutes-mismatch = 与 started_at 到 ended_at 的时长（{ $span } 分钟）不符
longer-than-event = 超过活动时长（含容差为 { $longest } 分钟）
longer-than-event-plain = 超过活动时长
within-event = 必须在活动期间内
minutes-or-times = 请填写分钟数，或填写 started_at 和 ended_at
times-go-together = started_at 和 ended_at 必须同时填写
date-within-event = 必须在活动期间内（{ $first } 至 { $last }）
invalid-time = 时间无效
only-submitter-changes = 未审核的记录只有提交人（或管理员）可以修改
approved-entries-locked = 已通过审核的记录已锁定：请提交更正
entry-is = 该记录状态为 { $status }
correction-not-edited = 更正记录不能修改：请撤回后重新提交
entry-already-records = 工时记录 { $entry } 已记录了该志愿者在 { $date } 参加本活动
own-submission = 记录 { $entry } 是您提交的：须由另一名审核人通过或驳回（双人审核；REVIEW_OWN_SUBMISSIONS 未开启）
who-reviews = 只有管理员（或在开启时，上级支部的书记）可以审核工时，且不能审核自己提交的记录
only-admin-reviews = 只有管理员可以审核工时
event-cancelled-entry = 活动 { $event } 已取消：记录 { $entry } 只能驳回或撤回
approving-would-leave = 通过后记录 { $entry } 将为 { $total } 分钟
approving-would-give = 通过后该志愿者在 { $date } 将有 { $total } 分钟
entry-not-awaiting-review = 记录 { $entry } 的状态为 { $status }，不在待审核状态
entry-changed-meanwhile = 记录 { $entry } 已在此期间被修改，请重新加载
rejection-needs-reason = 驳回需要填写理由
correction-minutes = 不能为零，须在 -{ $max } 到 { $max } 之间
only-approved-corrected = 只有已通过审核的原始记录可以更正
event-cancelled-no-corrections = 活动 { $event } 已取消：其下不再通过任何记录，因此不接受更正
would-leave-entry = 将使该记录变为 { $total } 分钟

## 报表

unknown-grouping = 未知的分组 `{ $grouping }`：可用 { $allowed }
no-grouping = 请至少指定一个分组
plan-item-note = 关联多项计划事项的活动，按 plan_item 分组时在每一项下全额计入，在其他分组和总计中只计一次。

## 更正申请

error-report-not-for-kind = `{ $kind }` 类更正申请不含此项
error-report-required-for-kind = `{ $kind }` 类更正申请必须填写此项
error-report-no-such-event = 没有该活动
error-report-event-cancelled = 该活动已取消，不再记录工时
error-report-not-your-entry = 没有属于你的该条工时记录
error-report-approved-only = 只有已审核通过的记录（不含更正）才能申请更正；待审核的记录仍由组织方核实
error-report-already-counts = 该记录已计 { $minutes } 分钟
error-report-open = 关于此事的更正申请 { $report } 尚未处理
error-report-entry-exists = 记录中已有这次服务（请对那条记录申请更正）
error-report-decided = 该更正申请已处理（{ $status }）：只有待处理的申请才能受理或不予受理
error-report-breaks-rule = 受理此申请将违反工时记录规则：{ $rule }
error-report-decline-needs-reason = 不予受理需要填写理由

## Certificates
certificates-secretaries-may-not = 本系统未允许支部书记出具证明（SECRETARIES_ISSUE_CERTIFICATES 未开启），请联系管理员
certificate-period-reversed = 不能早于开始日期 `from`
certificate-already-revoked = 该证明已撤销

## attendance
attendance-event-completed = 该活动已结束，签到已关闭
attendance-not-open-to = 该活动不面向此志愿者所在支部
attendance-not-admitted = 该志愿者未被录用参加此活动：只有已录用的志愿者可以签到
check-in-closed = 签到时间为 { $opens } 至 { $closes }
attendance-at-outside = 必须在签到时间 { $opens } 至 { $closes } 之内
attendance-at-future = 不能晚于当前时间
attendance-at-before-check-in = 不能早于签到时间
already-checked-in = 已签到（签到记录 { $attendance }，{ $at }）：请先签退
not-checked-in = 该志愿者未在此活动签到
attendance-too-short = 在活动时间内服务不足一分钟，未记录工时
attendance-refused = 未能记录工时
check-in-code-wrong = 签到码错误或已过期：请输入组织者手机上当前显示的签到码
attendance-pass-expired = 该志愿者的签到码已过期，请重新打开
attendance-pass-invalid = 不是本系统的签到码
attendance-pass-or-volunteer = pass 与 volunteer_id 须且只须提供一个
signup-closes-after-end = 不能晚于活动结束时间
signup-opens-after-end = 必须早于活动结束时间
capacity-below-admitted = 名额 { $capacity } 少于已录用的 { $admitted } 名志愿者：请先取消报名
signups-still-live = 仍有 { $count } 个有效报名：关闭报名前请先取消或拒绝
event-has-signups = 该活动已有报名或签到记录：请改为取消活动

## sign-ups
signup-event-over = 该活动已结束，不再接受报名
signup-not-offered = 该活动不开放报名，工时由组织者录入
signup-not-open-yet = 报名将于 { $at } 开始
signup-closed = 报名已于 { $at } 截止
signup-not-eligible = 不符合报名条件：{ $rule }
signup-outside-scope = 该活动只面向组织支部及其下级支部
signup-missing-tags = 该志愿者缺少所需标签 { $tags }
already-signed-up = 已报名（报名 { $signup }，状态：{ $status }）
signup-only-oneself = 志愿者只能为自己报名
signup-names-volunteer = 请指明要报名的志愿者
signup-reason-needed = 组织者取消报名须说明理由
signup-not-live = 该报名已是“{ $status }”状态
signup-cannot-admit = “{ $status }”状态的报名不能录用：只能录用申请中或候补的报名
signup-cannot-decline = “{ $status }”状态的报名不能拒绝：只能拒绝申请中或候补的报名
event-full = 该活动名额已满（{ $capacity } 个）：如需录用更多请先增加名额
import-sheet-of-csv = CSV 文件没有工作表：请去掉 `sheet` 参数
import-empty-file = 文件中没有表头行
import-too-many-rows = 文件超过 { $max } 行数据（IMPORT_MAX_ROWS）：请拆分后再导入
import-not-xlsx = 不是可读取的 XLSX 工作簿（文件已损坏或格式不同）：请另存为 .xlsx 或 CSV
import-no-such-sheet = 工作簿中没有工作表“{ $sheet }”（现有：{ $sheets }）
import-broken-sheet = 工作表“{ $sheet }”无法读取
import-binary-csv = 文件不是文本：请上传 XLSX 工作簿或 CSV 文件
import-unknown-encoding = 文本既不是 UTF-8 也不是 GB18030/GBK 编码：请另存为“CSV UTF-8”
import-broken-csv = CSV 在第 { $line } 行无法读取（引号未闭合？）
import-column-twice = 有两个表头对应此列
import-column-missing = 文件缺少此必填列
import-not-a-date = 不是日期：请填写 2022-03-05、2022/3/5 或 2022年3月5日
import-not-a-time = 不是时间：请填写 09:00 或 2022-03-05 09:00
import-number-as-text = 数字过长，Excel 已无法精确保存（末尾数字已丢失）：请将该列设为文本格式后重新填写
import-not-a-number = 不是数字
import-not-a-whole-number = 不是整数
import-hours-whole-minutes = 时长须折合为整分钟（如 2.5 或 0.75）
import-hours-range = 时长须大于 0 且不超过 24 小时
import-gender = 性别填写“男”或“女”（male 或 female）
import-duplicate-row = 与本文件第 { $row } 行重复
import-volunteer-exists = 已有此编号的志愿者（ID { $id }）：如需更新请加 update_existing=true 导入
import-no-such-volunteer = 没有该志愿者
import-volunteer-needed = 此行未指明志愿者：请填写志愿者编号或姓名
import-volunteer-ambiguous = 有 { $count } 名志愿者同名：请填写志愿者编号或支部代码
import-event-needed = 此行未指明活动：请填写活动 ID，或加 create_events=true 导入
import-required-for-new-event = 新建活动（create_events=true）时必填
import-category = 不是有效的活动类别（见模板第二页）
import-hours-minutes-differ = 小时数折合为 { $hours } 分钟：请只填一项，或两项一致
import-start-and-end = 开始和结束时间须同时填写或都不填
import-no-such-event = 没有该活动
import-conflicts-rows = 与本文件第 { $rows } 行的服务时间重叠
import-approve-admins = 只有管理员可以在导入时直接审核通过
import-approve-reason = approve=true 须填写 reason：说明这些时长为何无需审核
import-too-large = 文件超过 { $max } 字节（MAX_IMPORT_BYTES）：请拆分后再导入
import-body-broken = 上传在结束前中断
import-media-type = 请上传 CSV 文件（text/csv）、XLSX 工作簿，或含一个文件的 multipart/form-data
import-multipart-broken = 无法读取 multipart 请求体
import-no-file-part = multipart 请求体中没有文件
import-rows-invalid = 有 { $count } 行无效：未导入任何内容
import-rows-invalid-dry = 有 { $count } 行无效（试导入：未写入任何内容）
signup-status-applied = 申请中
signup-status-admitted = 已录用
signup-status-waitlisted = 候补
signup-status-declined = 已拒绝
signup-status-cancelled = 已取消
