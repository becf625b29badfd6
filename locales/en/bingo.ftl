## Open Badges Bingo (static/bingo.js)

## Shared
bingo-prizes-title = Prizes
bingo-prize-first-line = First line
bingo-prize-two-lines = Two lines
bingo-prize-full-card = Full card
bingo-prize-to-win = Still to win
bingo-someone = Participant { $id }
bingo-hardest-title = The hardest terms
bingo-hardest-item = { $term }: { $percent }% found it
bingo-prize-when = Round { $step } · { $time }
bingo-prize-when-step = Round { $step }
bingo-countdown-left = { $seconds } s
bingo-countdown-over = Time's up

## Phone: grid and Bingo button
bingo-grid-label = Your bingo card
bingo-cell-marked = found
bingo-cell-missed = missed
bingo-cell-wrong = wrong answer for this definition
bingo-cell-position = row { $row }, column { $column }
bingo-claim = Bingo!
bingo-claim-hint-none = Complete a row, a column or a diagonal.
bingo-claim-hint-ready = Line complete! Press “Bingo!” ({ $prize }).
bingo-claim-hint-nothing = Line complete, but that prize is taken: go for the next one!
bingo-claim-hint-keep-going = Well done! Keep going for the next prize.
bingo-claim-sent = Bingo sent… checking.
bingo-verdict-won = Bingo confirmed! You win: { $prizes }.
bingo-verdict-none = Valid bingo, but that prize was already taken.
bingo-verdict-false = No complete line: bingo refused.
bingo-prize-status-open = { $prize }: still to win
bingo-prize-status-won = { $prize }: { $count ->
    [one] 1 winner
   *[other] { $count } winners
}
bingo-prize-status-mine = { $prize }: won!

## Phone: what to do now
bingo-phone-not-in-game = You are not playing this bingo. Reload the page or ask the facilitator.
bingo-phone-status = { $step ->
    [0] Bingo
   *[other] Definition { $step }/25
} · { $marks ->
    [0] no cells
    [one] 1 cell
   *[other] { $marks } cells
} · { $lines ->
    [0] no lines
    [one] 1 line
   *[other] { $lines } lines
}
bingo-phone-status-listening = { $called ->
    [0] No term called yet
    [one] 1 term called
   *[other] { $called } terms called
} · { $marks ->
    [0] no cells
    [one] 1 cell
   *[other] { $marks } cells
} · { $lines ->
    [0] no lines
    [one] 1 line
   *[other] { $lines } lines
}
bingo-phone-wait-first = The bingo is about to start.
bingo-phone-how = Listen to each definition and tap the matching term.
bingo-phone-listen = Definition { $step }: which term?
bingo-phone-tap-once = Tap the right term. One answer per definition.
bingo-phone-sending = Answer sent…
bingo-phone-right = Right!
bingo-phone-wrong = Missed this one.
bingo-phone-wait-reveal = The answer will show on the big screen.
bingo-phone-revealed-found = It was “{ $term }”: found!
bingo-phone-revealed-missed = It was “{ $term }”.
bingo-phone-wait-next = Wait for the next definition.
bingo-phone-paused = Paused.
bingo-phone-paused-sub = The game resumes in a moment; your cells are kept.
bingo-phone-ended = The bingo is over.
bingo-phone-ended-sub = Thank you! Here is your result.
bingo-phone-listening-start = Listen to the talk.
bingo-phone-listening-how = When a term on your card is called, tap it.
bingo-phone-called = Called: “{ $term }”
bingo-phone-summary-title = Your bingo
bingo-phone-summary = { $marks ->
    [one] 1 cell found
   *[other] { $marks } cells found
} out of 25, { $lines ->
    [0] no complete line.
    [one] 1 complete line.
   *[other] { $lines } complete lines.
}
bingo-phone-summary-prizes = Your prizes: { $prizes }.
bingo-phone-summary-no-prize = No prize this time, but now you know the vocabulary!

## Phone: short messages when a cell cannot be played
bingo-notice-already-marked = This cell is already found.
bingo-notice-cell-closed = This cell belongs to a definition that has passed.
bingo-notice-no-definition = Wait for the next definition to answer.
bingo-notice-already-answered = You already answered this definition.
bingo-notice-not-called = “{ $term }” has not been called yet.
bingo-notice-offline = No connection: try again in a moment.

## Phone: screen reader announcements
bingo-announce-drawn = Definition { $step }: listen, then tap the term.
bingo-announce-right = Right: { $term } is found.
bingo-announce-wrong = Wrong: it was not { $term }.
bingo-announce-line = Line complete: press Bingo!
bingo-announce-marked = { $term } is marked.
bingo-announce-prize = { $prize }: { $count ->
    [one] 1 winner
   *[other] { $count } winners
}.
bingo-announce-resumed = The game resumes.

## Projector
bingo-screen-ready = The bingo is about to start
bingo-rule-grid = On your phone: a card of 25 terms, shuffled just for you.
bingo-rule-definition = A definition is read out: tap the matching term. One answer per definition!
bingo-rule-listening = During the talk, terms are called: tap them on your card.
bingo-rule-claim = A full row, column or diagonal? Press “Bingo!”.
bingo-screen-progress = { $step ->
    [0] { $total } definitions to discover
   *[other] Definition { $step }/{ $total }
}
bingo-screen-progress-listening = { $called ->
    [0] No term called yet
    [one] 1 term called out of { $total }
   *[other] { $called } terms called out of { $total }
}
bingo-screen-answers = { $answered }/{ $of } answers
bingo-screen-players = { $count ->
    [one] 1 player
   *[other] { $count } players
}
bingo-screen-question = Which term is it?
bingo-screen-answer = The answer
bingo-screen-listen = Listen to the definition…
bingo-screen-found = { $found }/{ $of } found it · { $percent }%
bingo-screen-last-called = Last term called
bingo-screen-paused = Paused
bingo-screen-paused-sub = The bingo resumes in a moment.
bingo-screen-ended = Bingo over: well done, everyone!
bingo-screen-winner = Bingo! { $name }: { $prize }
bingo-screen-sound-hint = Sound on: click this screen once to let it play.

## Facilitator console
bingo-console-title = Bingo (definitions)
bingo-console-title-listening = Bingo (listening)
bingo-console-state-running = Running
bingo-console-state-paused = Paused: phones cannot play.
bingo-console-state-ended = Over
bingo-console-start-help = Draw the first definition once everyone sees their card.
bingo-console-definition = Definition { $step } · { $remaining } left to draw
bingo-console-answer = Answer:
bingo-console-result = Found by { $found } of { $of } ({ $percent }%) · { $answered ->
    [one] 1 answer
   *[other] { $answered } answers
}
bingo-console-debrief-help = For the debrief, the explanation of each term:
bingo-console-draw = Draw a random definition
bingo-console-draw-next = Reveal and draw the next
bingo-console-reveal = Reveal the answer
bingo-console-pick = Or choose the definition
bingo-console-draw-picked = Draw this one
bingo-console-call-label = Terms to call
bingo-console-call-help = Tap a term as soon as it is said during the talk.
bingo-console-called-count = { $called }/{ $total } terms called
bingo-console-last-called = Last called: { $term }
bingo-console-pause = Pause
bingo-console-resume = Resume
bingo-console-end = End the bingo
bingo-console-end-question = End the bingo for everyone?
bingo-console-end-confirm = Yes, end it
bingo-console-end-cancel = Cancel
bingo-console-participants = Players
bingo-col-name = Name
bingo-col-marks = Cells
bingo-col-lines = Lines
bingo-col-claims = Bingos
bingo-col-prizes = Prizes
bingo-console-claims-refused = { $claims } ({ $refused } refused)
bingo-console-nobody = Nobody has joined yet.
bingo-console-prize-won = { $names } (round { $step })
bingo-console-refused = Refused bingos ({ $count })
bingo-console-refused-item = { $name }: no complete line (round { $step })
bingo-console-refused-none = None so far.
bingo-console-history = Revealed definitions
bingo-console-history-item = { $term }: { $found }/{ $of } ({ $percent }%)
bingo-console-history-none = None so far.
bingo-console-no-stats = No definition was revealed.
bingo-console-claim-valid = { $name }: bingo confirmed.
bingo-console-claim-false = { $name }: bingo refused, no complete line.
bingo-console-countdown = Countdown per definition
bingo-console-countdown-off = None
bingo-console-countdown-seconds = { $seconds ->
    [one] 1 second
   *[other] { $seconds } seconds
}
bingo-console-sound = Sound on the projector for each bingo
