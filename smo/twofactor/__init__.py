"""Two-factor authentication (R13a) on top of django-otp.

Everybody who can see another person's case data (every role except the plain
employee) must confirm each sign-in with a second factor: a TOTP code from an
authenticator app, or one of ten single-use recovery codes. Employees are
required too when their organisation asks for it. The rules live in
:mod:`smo.twofactor.services`; :mod:`smo.twofactor.middleware` keeps an
unverified session away from everything but the verification and enrolment
pages.
"""
