from django.contrib import admin

from .models import CheckIn, Leave, Need, PublicHoliday, Team, TeamMember, Visit, VisitPhoto

admin.site.register(Team)
admin.site.register(TeamMember)
admin.site.register(CheckIn)
admin.site.register(Leave)
admin.site.register(PublicHoliday)
admin.site.register(Visit)
admin.site.register(VisitPhoto)
admin.site.register(Need)
