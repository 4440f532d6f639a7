"""The alerting stage: rules over analysed mentions, cases, spike alerts, notifications.

Its rules, cases and channels are specified in the main-job issue; nothing is exported yet.
"""
