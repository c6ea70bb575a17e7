"""The marker of a loaded demo city: one row, so a second ``demo_city`` changes nothing."""

from django.db import models


class DemoCity(models.Model):
    seed = models.IntegerField()
    scale = models.FloatField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    # Row counts by model label, as printed after the load.
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = "демо-город"
        verbose_name_plural = "демо-город"

    def __str__(self):
        return f"demo city (seed {self.seed}, scale {self.scale:g})"
