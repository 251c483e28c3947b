from django.contrib import admin

from .models import CaseStep, Flag, Measure, MonitoredCase, RiskEvent, Threshold

for model in (Threshold, RiskEvent, Flag, MonitoredCase, CaseStep, Measure):
    admin.site.register(model)
