"""Sign-in of residents by their confirmed phone or e-mail (issue 12): the login form's
«Логин» field also takes a phone (any spelling: 8 910 …, +7 910 …) or an e-mail. Only
residents are found this way (staff keep the logins their organisation gave them, D2), and
only one account may match."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from domovoy.core import phones
from domovoy.directory.models import User


class ResidentContactBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        text = str(username or "").strip()
        if not text or password is None:
            return None
        if "@" in text:
            users = User.objects.filter(is_resident=True, email__iexact=text)
        else:
            try:
                phone = phones.normalize(text)
            except ValidationError:
                return None
            users = User.objects.filter(is_resident=True, phone=phone)
        users = list(users[:2])
        if len(users) != 1:
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
