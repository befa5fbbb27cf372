"""Sign-in, set-password, change-password and reset-request forms."""

from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.forms import AppForm


class LoginForm(AppForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class SetPasswordForm(AppForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=200)],
        description="At least 12 characters. A short phrase works well.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords do not match.")],
    )
    submit = SubmitField("Set password")


class EmptyForm(AppForm):
    """A form with only the CSRF token, for POST-only buttons."""

    submit = SubmitField("Submit")


class ChangePasswordForm(AppForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = SetPasswordForm.password
    confirm = SetPasswordForm.confirm
    submit = SubmitField("Change password")


class ForgotPasswordForm(AppForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a reset link")
