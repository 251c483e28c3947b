from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign-list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign-edit"),
    path("<int:pk>/items/new/", views.ItemAddView.as_view(), name="item-add"),
    path("<int:pk>/sites/new/", views.SiteAddView.as_view(), name="site-add"),
    path("<int:pk>/slots/new/", views.SlotAddView.as_view(), name="slot-add"),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("mine/", views.member_home, name="member-home"),
    path("mine/<int:pk>/", views.member_campaign, name="member-campaign"),
    path("mine/orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("mine/orders/<int:pk>/cancel/", views.order_cancel, name="order-cancel"),
    path("scan/", views.scan_home, name="scan-home"),
    path("scan/<int:pk>/", views.scan, name="scan"),
    path("scan/<int:pk>/confirm/", views.scan_confirm, name="scan-confirm"),
]
