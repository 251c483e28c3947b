from django.contrib import admin

from .models import CheckIn, Leave, PublicHoliday, Team, TeamMember

admin.site.register(Team)
admin.site.register(TeamMember)
admin.site.register(CheckIn)
admin.site.register(Leave)
admin.site.register(PublicHoliday)
