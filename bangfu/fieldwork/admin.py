from django.contrib import admin

from .models import CheckIn, Leave, Need, PublicHoliday, Team, TeamMember, Visit

admin.site.register(Team)
admin.site.register(TeamMember)
admin.site.register(CheckIn)
admin.site.register(Leave)
admin.site.register(PublicHoliday)
admin.site.register(Visit)
admin.site.register(Need)
