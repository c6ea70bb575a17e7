from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CalendarOverride(models.Model):
    """An operator's correction of the production calendar for one day."""

    CACHE_KEY = "worktime:overrides"

    date = models.DateField(_("дата"), unique=True)
    is_working = models.BooleanField(_("рабочий день"))
    comment = models.CharField(_("основание"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("исключение производственного календаря")
        verbose_name_plural = _("исключения производственного календаря")

    def __str__(self):
        kind = _("рабочий") if self.is_working else _("выходной")
        return _("%(date)s: %(kind)s") % {"date": self.date, "kind": kind}

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def delete(self, *args, **kwargs):
        super().delete(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def cached_map(cls):
        data = cache.get(cls.CACHE_KEY)
        if data is None:
            data = dict(cls.objects.values_list("date", "is_working"))
            cache.set(cls.CACHE_KEY, data, 300)
        return data


class WorkerHeartbeat(models.Model):
    """Proof that background workers run: the periodic heartbeat and on-demand probes write here.
    The technical operator's status page reads the latest rows."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("периодическая")
        PROBE = "probe", _("проверка по запросу")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    token = models.CharField(max_length=40, blank=True, db_index=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the consumer

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.kind} {self.worker} {self.at:%Y-%m-%d %H:%M:%S}"
