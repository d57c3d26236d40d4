from django.db import models


class Generation(models.Model):
    """How many times the records behind a cached figure have changed (see ``core.cache``).

    One row per topic, e.g. "network.stations:331123"; a service that changes those records bumps it
    in the same transaction, so every process sees the change on its next request.
    """

    topic = models.CharField(max_length=100, primary_key=True)
    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "缓存版本"
        verbose_name_plural = "缓存版本"

    def __str__(self):
        return f"{self.topic} #{self.number}"
