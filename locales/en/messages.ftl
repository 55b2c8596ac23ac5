# volunteer-hours: the texts clients read, in English.
# One key per message; `{ $name }` is an argument. Pointers, problem types and field
# values are not in here: they are the same in every language.
# Every key here is also in ../zh-CN/messages.ftl (a unit test checks both ways).

## Problem titles, one per stable problem type

title-bad-request = Bad request
title-malformed-json = Malformed JSON
title-invalid-parameter = Invalid parameter
title-validation = Validation failed
title-unauthorized = Unauthorized
title-forbidden = Forbidden
title-not-found = Not found
title-method-not-allowed = Method not allowed
title-conflict = Conflict
title-precondition-failed = Precondition failed
title-payload-too-large = Payload too large
title-uri-too-long = URI too long
title-unsupported-media-type = Unsupported media type
title-precondition-required = Precondition required
title-too-many-requests = Too many requests
title-service-unavailable = Service unavailable
title-internal = Internal server error

## Problem details

located = { $pointer }: { $detail }
invalid-fields = { $count } fields are invalid
invalid-parameters = { $count } parameters are invalid
not-found = no such resource, or it is outside your scope
method-not-allowed = this resource does not answer that method (see Allow)
precondition-failed = the resource has changed since it was read
payload-too-large = the request body is larger than this server accepts (MAX_BODY_BYTES)
uri-too-long = the request's path and query are longer than this server reads ({ $bytes } bytes)
precondition-required = this request needs an If-Match header
too-many-requests = slow down; retry after { $seconds } s
internal = the server failed to handle this request
entries-conflict = { $what }: hour entries { $named }{ $more ->
        [0] {""}
       *[other] {" "}and { $more } more
    }
bare-status = the request could not be handled ({ $status } { $reason })

## The database and the service

database-busy = the database is unavailable or busy; retry shortly
database-unavailable = the database is unavailable; retry shortly
database-too-slow = the database took too long; retry shortly
serialization-failure = the request collided with another; retry it
service-unavailable = the service is unavailable; retry shortly
too-many-logins = too many logins at once; retry shortly
unique-violation = an object with the same unique value already exists
foreign-key-violation = refers to an object that does not exist or is still in use
check-violation = a value is outside the allowed range

## Requests: bodies, parameters, headers

body-not-json = send the body as Content-Type: application/json
unsupported-content-type = unsupported Content-Type
body-unreadable = could not read the request body: { $cause }
body-not-object = the body must be a JSON object
json-expected-object = expected a JSON object
json-eof = the JSON ends too early (EOF at line { $line }, column { $column })
json-syntax = not valid JSON at line { $line }, column { $column }: { $cause }
json-invalid-type = invalid type: { $found }, expected { $expected }
json-invalid-value = invalid value: { $found }, expected { $expected }
json-invalid-length = invalid length { $found }, expected { $expected }
json-unknown-field = unknown field `{ $field }`, { $expected }
json-unknown-variant = unknown variant `{ $variant }`, { $expected }
json-missing-field = missing field `{ $field }`
json-duplicate-field = duplicate field `{ $field }`
json-other = { $cause }
kind-integer = { $text }
kind-number = { $text }
kind-string = { $text }
kind-boolean = { $text }
kind-array = { $text }
kind-object = { $text }
kind-id = { $text }
kind-null = { $text }
kind-other = { $text }
kind-string-value = { $text }
kind-integer-value = { $text }
kind-number-value = { $text }
kind-boolean-value = { $text }
text-has-nul = must not contain the NUL character (\u0000)
field-name-has-nul = field names must not contain the NUL character (\u0000)
query-unreadable = the query cannot be read: { $cause }
path-unreadable = the path cannot be read: { $cause }
url-has-nul = must not contain the NUL character (%00)
id-not-canonical = ids are written in decimal without a sign or leading zeros, e.g. /volunteers/1
if-match-form = must be `*` or an ETag this service sent, such as "3"
idempotency-key-required = this request needs an Idempotency-Key header (a fresh random value per submission, reused on retries)
idempotency-key-form = Idempotency-Key must be 1 to 255 visible ASCII characters
idempotency-key-reused = this Idempotency-Key was used for a different request; use a new key for a new submission
idempotency-in-progress = a request with this Idempotency-Key is still being processed; retry shortly

## Field rules

between = must be between { $min } and { $max }
text-length = must be { $min } to { $max } characters
text-length-trimmed = must be 1 to { $max } characters without surrounding spaces
text-untrimmed = must not start or end with white space
at-least-characters = must be at least { $min } characters
at-most-characters = must be at most { $max } characters
code-form = must be 1 to 32 of A-Z, 0-9, '_' and '-'
phone-form = must be 5 to 20 digits, optionally after '+'
tag-form = must be 1 to 40 of a-z, 0-9 and '_'
username-form = may contain only a-z, 0-9, '.', '_' and '-'
must-be-after = must be after { $other }
not-one-of = `{ $value }` is not one of { $allowed }
appears-twice = appears twice
not-after-today = must not be after today ({ $today })

## Sign-in and accounts

invalid-access-token = missing, invalid or expired access token
authentication-required = authentication required
not-allowed = not allowed
role-may-not = the { $role } role may not do this
bad-credentials = invalid username or password
invalid-refresh-token = invalid, expired or revoked refresh token
not-current-password = is not the current password
password-changed-meanwhile = the password changed meanwhile; log in again
password-is-username = must not be the username
secretary-needs-branch = a secretary needs a branch
volunteer-account-needs-volunteer = a volunteer account needs a volunteer
username-taken = username `{ $username }` is taken
volunteer-has-account = that volunteer already has an account
admin-keeps-itself = administrators cannot disable or demote themselves

## Branches, volunteers, plans

no-such-branch = no such branch
no-such-branch-in-scope = no such branch in your scope
no-such-volunteer = no such volunteer
no-such-volunteer-in-scope = no such volunteer in your scope
branch-under-itself = a branch cannot move under itself or one of its descendants
branch-in-use = the branch has volunteers, hours, events, accounts or sub-branches; archive it instead
branch-code-taken = branch code `{ $code }` is taken
at-most-tags = at most { $max } tags
volunteer-number-taken = another volunteer has that volunteer number
volunteer-in-use = the volunteer has hours, commendations, certificates or an account; archive instead
year-has-plan = { $year } already has a plan
plan-needs-section = a plan needs at least one section
section-twice = section { $number } appears twice
section-needs-item = a section needs at least one item
item-twice = item { $number } appears twice
no-branch-before = no branch `{ $code }` before this one
branch-twice = branch `{ $code }` appears twice
no-branch-code = no branch `{ $code }`
no-volunteer-number = no volunteer `{ $number }`
no-event-key = no event `{ $key }`
volunteer-not-active = the volunteer is not active
in-plan-year = must be in the plan's year { $year }
plan-has-no-item = the plan has no item { $number }
second-entry-same-day = a second entry for the same volunteer, event and day

## The record: commendations and evaluations

evaluation-needs-approved-entry = volunteer { $volunteer } has no approved hour entry at event { $event }: only service recorded and approved there is evaluated

## Events

event-needs-plan-item = an event serves at least one plan item
at-most-plan-items = at most { $max } plan items
not-item-of-plan = not an item of the { $year } plan
new-event-status = a new event is planned or open
event-cannot-go = an event cannot go from { $from } to { $to }
event-has-hours = the event has hours; cancel or complete it instead
kind-fixed-once-approved = the category and plan items are fixed once hours at the event are approved (an administrator may amend them: POST /api/v1/events/{ $event }/amendments)
times-leave-hours-outside = the new times would leave recorded hours outside the event
amendment-changes-nothing = the amendment changes none of starts_at, ends_at, category and plan_item_ids

## Hours

roster-size = a roster holds 1 to { $max } entries
ids-count = 1 to { $max } ids
volunteer-is = the volunteer is { $status }
volunteer-day-twice = the same volunteer and day appear twice in this roster
overlaps-in-roster = overlaps { $other } of the same volunteer: one person is in one place at a time
service-overlaps-recorded = the service overlaps the volunteer's other recorded service (one person is in one place at a time)
entries-overlap-recorded = { $entries } overlap the volunteer's other recorded service (one person is in one place at a time)
event-cancelled = the event is cancelled
duplicates-entry = duplicates hour entry { $existing } (volunteer { $volunteer } at this event on { $date }); correct that entry instead
roster-entry = entry { $entry }: { $detail }
over-daily-cap = the volunteer would have { $total } minutes on { $date }; at most { $cap } a day
outside-event-window = service must fall within the event's time (with the configured tolerance)
minutes-mismatch = does not match started_at to ended_at ({ $span } minutes)
longer-than-event = longer than the event ({ $longest } minutes with tolerance)
longer-than-event-plain = longer than the event
within-event = must fall within the event
minutes-or-times = give minutes, or started_at and ended_at
times-go-together = started_at and ended_at go together
date-within-event = must fall within the event ({ $first } to { $last })
invalid-time = invalid time
only-submitter-changes = only the submitter (or an administrator) changes an unreviewed entry
approved-entries-locked = approved entries are locked: post a correction
entry-is = the entry is { $status }
correction-not-edited = a correction is not edited: withdraw it and post another
entry-already-records = hour entry { $entry } already records this volunteer at this event on { $date }
own-submission = entry { $entry } was submitted by you: another reviewer approves or rejects it (four eyes; REVIEW_OWN_SUBMISSIONS is off)
who-reviews = only an administrator (or, if enabled, a secretary of a parent branch) reviews hours, and never their own submissions
only-admin-reviews = only an administrator reviews hours
event-cancelled-entry = event { $event } is cancelled: entry { $entry } can only be rejected or withdrawn
approving-would-leave = approving would leave entry { $entry } at { $total } minutes
approving-would-give = approving would give the volunteer { $total } minutes on { $date }
entry-not-awaiting-review = entry { $entry } is { $status }, not awaiting review
entry-changed-meanwhile = entry { $entry } changed meanwhile; reload it
rejection-needs-reason = a rejection needs a reason
correction-minutes = must be non-zero, between -{ $max } and { $max }
only-approved-corrected = only an approved original entry can be corrected
event-cancelled-no-corrections = event { $event } is cancelled: nothing more at it is approved, so it takes no corrections
would-leave-entry = would leave the entry at { $total } minutes

## Reports

unknown-grouping = unknown grouping `{ $grouping }`: use { $allowed }
no-grouping = name at least one grouping
plan-item-note = An event linked to several plan items counts in full under each of them when grouping by plan_item, and once in every other grouping and in the overall totals.

## Error reports

error-report-not-for-kind = not part of a `{ $kind }` report
error-report-required-for-kind = required in a `{ $kind }` report
error-report-no-such-event = no such event
error-report-event-cancelled = the event is cancelled: nothing more is recorded at it
error-report-not-your-entry = no such hour entry of yours
error-report-approved-only = only an approved entry (not a correction) is reported wrong; one awaiting review is still with its organiser
error-report-already-counts = the entry already counts { $minutes } minutes
error-report-open = error report { $report } about this is still open
error-report-entry-exists = the record already holds this service (report that entry as wrong instead)
error-report-decided = the error report is already { $status }: only an open report is accepted or declined
error-report-breaks-rule = accepting this report would break a rule of recording hours: { $rule }
error-report-decline-needs-reason = declining a report needs a reason

## Certificates
certificates-secretaries-may-not = secretaries do not issue certificates here (SECRETARIES_ISSUE_CERTIFICATES is off); ask an administrator
certificate-period-reversed = must not be before `from`
certificate-already-revoked = the certificate is already revoked

## attendance
attendance-event-completed = the event is completed: attendance is closed
attendance-not-open-to = this event is not open to the volunteer's branch
attendance-not-admitted = the volunteer is not admitted to this event: only admitted volunteers check in
check-in-closed = check-in is open from { $opens } to { $closes }
attendance-at-outside = must be within the check-in window, { $opens } to { $closes }
attendance-at-future = must not be later than now
attendance-at-before-check-in = must not be before the check-in
already-checked-in = already checked in (attendance { $attendance }, at { $at }): check out first
not-checked-in = the volunteer is not checked in at this event
attendance-too-short = under a minute was served within the event's time: no hours recorded
attendance-refused = the hours could not be recorded
check-in-code-wrong = wrong or expired code: read the code now shown on the organiser's phone
attendance-pass-expired = the pass has expired: the volunteer must open a new one
attendance-pass-invalid = not a pass of this service
attendance-pass-or-volunteer = give exactly one of pass and volunteer_id
signup-closes-after-end = must not be after the event ends
signup-opens-after-end = must be before the event ends
capacity-below-admitted = capacity { $capacity } is below the { $admitted } volunteers already admitted: cancel sign-ups first
signups-still-live = { $count } sign-ups are still live: cancel or decline them before turning sign-up off
event-has-signups = the event has sign-ups or attendance: cancel it instead

## sign-ups
signup-event-over = the event is over: it takes no more sign-ups
signup-not-offered = this event takes no sign-ups: its organiser records the hours
signup-not-open-yet = sign-up opens at { $at }
signup-closed = sign-up closed at { $at }
signup-not-eligible = not eligible: { $rule }
signup-outside-scope = the event is open to the organising branch and the branches below it only
signup-missing-tags = the volunteer lacks the required tags { $tags }
already-signed-up = already signed up (sign-up { $signup }, { $status })
signup-only-oneself = a volunteer signs up only itself
signup-names-volunteer = name the volunteer to sign up
signup-reason-needed = the organiser gives a reason for cancelling a sign-up
signup-not-live = the sign-up is { $status } already
signup-cannot-admit = a sign-up that is { $status } cannot be admitted: only applications and the waiting list
signup-cannot-decline = a sign-up that is { $status } cannot be declined: only applications and the waiting list
event-full = the event is full ({ $capacity } places): raise its capacity to admit more
import-sheet-of-csv = a CSV file has no sheets: leave out `sheet`
import-empty-file = the file holds no header row
import-too-many-rows = the file has more than { $max } data rows (IMPORT_MAX_ROWS): split it
import-not-xlsx = not a readable XLSX workbook (a broken or different file): save it again as .xlsx, or as CSV
import-no-such-sheet = the workbook has no sheet `{ $sheet }` (it has: { $sheets })
import-broken-sheet = the sheet `{ $sheet }` cannot be read
import-binary-csv = the file is not text: send an XLSX workbook or a CSV file
import-unknown-encoding = the text is neither UTF-8 nor GB18030/GBK: save it as "CSV UTF-8"
import-broken-csv = the CSV cannot be read at line { $line } (an unclosed quote?)
import-column-twice = two headers name this column
import-column-missing = the file lacks this column, which is required
import-not-a-date = not a date: write 2022-03-05, 2022/3/5 or 2022年3月5日
import-not-a-time = not a time: write 09:00 or 2022-03-05 09:00
import-number-as-text = a number too long for Excel to keep exact (its last digits are lost): format the column as text and type it again
import-not-a-number = not a number
import-not-a-whole-number = not a whole number
import-hours-whole-minutes = hours must come to whole minutes (e.g. 2.5 or 0.75)
import-hours-range = hours must be more than 0 and at most 24
import-gender = gender is 男 or 女 (male or female)
import-duplicate-row = the same as row { $row } of this file
import-volunteer-exists = a volunteer with this number exists (id { $id }): import with update_existing=true to update it
import-no-such-volunteer = no such volunteer
import-volunteer-needed = the row names no volunteer: give the volunteer number, or the name
import-volunteer-ambiguous = { $count } volunteers have this name: give the volunteer number or the branch code
import-event-needed = the row names no event: give the event id, or import with create_events=true
import-required-for-new-event = required to create the event (create_events=true)
import-category = not a category of events (see the template's second sheet)
import-hours-minutes-differ = the hours come to { $hours } minutes: give one of the two, or both the same
import-start-and-end = give both the start and the end, or neither
import-no-such-event = no such event
import-conflicts-rows = overlaps the service of row { $rows } of this file
import-approve-admins = only administrators approve hours with an import
import-approve-reason = approve=true needs a reason: why these hours need no review
import-too-large = the file is larger than { $max } bytes (MAX_IMPORT_BYTES): split it
import-body-broken = the upload broke off before its end
import-media-type = send a CSV file (text/csv), an XLSX workbook, or multipart/form-data with one file
import-multipart-broken = the multipart body cannot be read
import-no-file-part = the multipart body holds no file part
import-rows-invalid = { $count } rows are invalid: nothing was imported
import-rows-invalid-dry = { $count } rows are invalid (dry run: nothing was written)
signup-status-applied = applied
signup-status-admitted = admitted
signup-status-waitlisted = waitlisted
signup-status-declined = declined
signup-status-cancelled = cancelled
