## Feedback: the phone's form (static/feedback.js)
feedback-title = Your feedback
feedback-intro = Any feedback? Rate the workshop and leave us a comment to help us improve it. It is anonymous: your name is not stored with your feedback.
feedback-overall = Overall, how did you find the workshop?
feedback-activity = { $activity }: your rating
feedback-optional = (optional)
feedback-rating-1 = Not at all
feedback-rating-2 = Not much
feedback-rating-3 = Average
feedback-rating-4 = Good
feedback-rating-5 = Excellent
feedback-comment = A comment to help us improve?
feedback-count = { $count } / { $max } characters
feedback-count-over = { $over } characters too many
feedback-count-left = { $left } characters left.
feedback-send = Send my feedback
feedback-sending = Sending…
feedback-thanks-title = Thank you!
feedback-thanks = Your feedback has arrived. It helps us improve the workshop.
feedback-error-overall = Choose an overall rating, from 1 to 5.
feedback-error-invalid_rating = A rating is a whole number from 1 to 5.
feedback-error-unknown_activity = This activity is not part of the workshop.
feedback-error-comment_too_long = The comment is too long: 2,000 characters at most.
feedback-error-already_given = You have already given your feedback. Thank you!
feedback-error-not_yet = The form opens after the badges are handed out. One moment…
feedback-error-unknown_token = This phone is no longer part of the workshop: join it again to give your feedback.
feedback-error-network = No connection. Your feedback is not lost: try again in a moment.
feedback-error-other = Sending failed. Try again in a moment.
feedback-privacy = Your data and your rights

## Feedback on the projector and the console
feedback-stats-title = Your feedback
feedback-stats-count = { $count ->
    [0] No feedback yet
    [one] 1 feedback
   *[other] { $count } feedback
}
feedback-stats-average = Average rating: { $average } / 5
feedback-comments-title = Your comments
feedback-comments-show = Show the comments on the projector
feedback-comments-hide = Hide the comments from the projector
feedback-comments-none = No comment yet.
feedback-comments-shown = The comments are shown on the projector.
feedback-comments-hidden = The comments are hidden.
feedback-comments-failed = Could not change whether the comments are shown.
