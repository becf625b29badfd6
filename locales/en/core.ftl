## Shared
app-name = Atelier Open Badges
home-link = Home
lang-switch = Language
sign-out = Sign out
error-server = Server error. Please try again in a moment.
error-refused = Request refused.
error-not-found = Page not found.
error-unknown-host = This server does not answer to that name. Use its address, or ask whoever started it to add the name with --allow-host.
badge-public-erased = This badge's page was removed at its holder's request. The badge itself, in its holder's file, is still valid.

## Connection banner and phases (scripts)
net-offline = Connection lost… reconnecting. Your answers are kept.
net-back = Connection restored.
phase-lobby = Welcome
phase-bingo = Open Badges Bingo
phase-fresque = Recognition timeline
phase-badges = Badges
phase-feedback = Your feedback
phase-closed = Workshop over

## Home and join
home-title = Atelier Open Badges
join-code-label = Workshop code
join-button = Join
join-code-unknown = This code does not exist. Check the 6 characters on the screen.
join-session-unknown = No workshop has this code.
facilitator-space = Facilitators

## Phone
phone-name-label = Your first name or nickname
phone-enter = Enter
phone-hello = Hello { $name }!
phone-waiting = You are in the workshop. The facilitator will start soon.
phone-now = Now: { $phase }
phone-removed = The facilitator removed you from the workshop.
phone-erased = Your name and your part in this workshop were erased, as asked. A badge you downloaded stays valid.
phone-rejoin = Join again
phone-name-taken = “{ $name }” is already in this workshop. If that is you, on another phone, take your place back; otherwise choose another name (for instance with your surname’s initial).
phone-reclaim = It’s me: take my place back
phone-use-suggestion = Join as “{ $name }”
phone-reclaim-waiting = Request sent: the facilitator confirms that you are “{ $name }”, then you get your place back.
phone-reclaim-cancel = Cancel
phone-reclaim-refused = The facilitator did not confirm. Choose another name.
phone-replaced = Your place was taken back on another phone.
phone-closed = The workshop is over. Thank you for taking part!

## Sign-in
login-title = Facilitators
login-username = Username
login-password = Password
login-submit = Sign in
login-slow-down = Too many failed sign-ins. Wait a few minutes.
login-busy = Many people are signing in at once. Try again in a moment.
login-failed = Wrong username or password.
signin-title = Create the organiser account
signin-intro = This link works once. The organiser account manages facilitators and exports.
signin-password = Password (at least 12 characters, hard to guess)
password-too-short = The password must have at least 12 characters.
password-too-long = The password must have at most 256 characters.
password-too-weak = This password is too easy to guess. Use several unrelated words, or a password manager.
signin-submit = Create the account
signin-used = This link was already used or does not exist.
signin-username-bad = Choose a username (60 characters at most).
username-taken = This username is taken.

## Facilitator dashboard
dashboard-title = My workshops
dashboard-new = New workshop
dashboard-session-title = Title
dashboard-default-title = Introduction to Open Badges
dashboard-lang = Language
dashboard-deck = Card deck
dashboard-activities = Activities
activities-bingo-fresque = Bingo, then timeline
activities-fresque-bingo = Timeline, then bingo
activities-bingo = Bingo only
activities-fresque = Timeline only
activities-none = None (badges only)
dashboard-bingo-mode = Bingo
bingo-mode-definition = The facilitator reads definitions
bingo-mode-listening = Listening: terms are called during the talk
dashboard-packs = Timeline: packs
dashboard-achievement = Badge awarded
dashboard-achievement-auto = The workshop's badge, following the chosen activities
dashboard-achievement-hint = The badge says what participants did: a bingo-only session does not mention the timeline.
dashboard-max-participants = Participants at most
dashboard-max-participants-hint = Phones beyond this number are told the session is full. You can also close joining from the console.
packs-three = Three packs
packs-two = Two packs
dashboard-create = Create the workshop
dashboard-sessions = Workshops
dashboard-empty = No workshop yet.
organiser-link = Organisation
not-your-session = None of your workshops has this code.

## Console
console-title = Facilitator console
console-join = Join
console-code = Code:
console-qr-alt = QR code to { $url }
console-open-screen = Open the projector screen
console-flow = Running order
console-phase = Phase:
console-next = Next phase
console-lobby = Back to the welcome screen
console-participants = Participants
console-online = online
console-offline = offline
console-reclaims = Places to take back
console-reclaim-request = A new phone says it is “{ $name }”. Confirm only if that person is really there, in front of you.
console-reclaim-accept = Confirm: this is { $name }
console-reclaim-refuse = Refuse
console-away = away since { $since }
console-connected = { $connected } of { $total } connected
console-remove = Remove
console-remove-label = Remove { $name }
console-remove-confirm = Remove { $name } from the workshop?

## Projector
screen-join-on = Join at { $host }
screen-participants = { $count ->
    [one] { $count } participant
   *[other] { $count } participants
}
screen-away = away

## Organiser
organiser-title = Organisation
organiser-only = Organisers only.
organiser-accounts = Facilitator accounts
organiser-new-username = New facilitator: username
organiser-create = Create the account
organiser-created = Account “{ $name }” created.
organiser-username-bad = Username: 1 to 60 characters.
role-organiser = organiser
role-facilitator = facilitator
## Dates as people read them
date-time = { $day } { $month } { $year }, { $time } UTC
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
console-joining-close = Close joining
console-joining-open = Reopen joining
console-joining-closed = Joining is closed: only those who joined can come back.
console-joining-full = { $count } of { $max } places taken.
join-slow-down = Too many wrong codes from this network. Wait a few minutes, or scan the code on the screen.
# Error frames' codes, as the pages show them (static/i18n.js errorText).
code-bad_json = The message could not be read. Reload the page.
code-missing_type = The message could not be read. Reload the page.
code-unknown_type = This page is out of date. Reload it.
code-bad_fields = This page is out of date. Reload it.
code-binary_frame = The message could not be read. Reload the page.
code-unknown_code = No session has this code. Check it on the screen.
code-bad_name = Choose a name of 1 to 40 characters, in one alphabet per word.
code-unknown_token = This phone’s place in the session is gone: join again.
code-removed = The facilitator removed you from the session.
code-session_closed = This session is over.
code-joining_closed = The facilitator has closed joining for this session.
code-session_full = This session is full: ask the facilitator.
code-unauthorized = Your sign-in has ended: sign in again.
code-forbidden = You may not do this.
code-read_only = The projector only shows the session.
code-storage_unavailable = The server could not save this. Try again in a moment.
code-busy = The server is busy. Try again in a moment.
code-rate_limited = Too many messages at once. Wait a moment.
code-internal = Server error. Try again in a moment.
code-no_such_activity = This session has no such activity.
code-already_in_phase = The session is already there.
code-unknown_participant = This participant is not in the session.
code-not_now = Not now: this activity is not running.
code-no_such_game = This session does not play that game.
code-invalid = Check what you entered.
code-other = The server refused this ({ $code }).
console-end-confirm = End { $activity } now, while it is under way? Its state is kept: “Back to { $activity }” in this panel returns to it.
console-back-to = Back to { $activity }
code-name_taken = This name is already taken in this workshop.
code-unknown_name = Nobody in this workshop has this name.
code-waiting = The facilitator has not answered yet.
code-unknown_request = This request was withdrawn or already answered.
code-presence_unchanged = Nothing to change.
code-not_away = This person is not away.
code-empty_hand = This person holds no card.
code-invalid_grace = The grace period is 0 to 600 seconds.
