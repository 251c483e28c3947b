from django.urls import path

from . import views

app_name = "supermarket"

urlpatterns = [
    path("stores/", views.StoreListView.as_view(), name="store-list"),
    path("stores/new/", views.StoreCreateView.as_view(), name="store-create"),
    path("stores/<int:pk>/", views.StoreDetailView.as_view(), name="store-detail"),
    path("stores/<int:pk>/edit/", views.StoreEditView.as_view(), name="store-edit"),
    path("stores/<int:pk>/counter/", views.counter, name="counter"),
    path("stores/<int:pk>/stock/", views.StockMoveView.as_view(), name="stock-move"),
    path("stores/<int:pk>/stocktake/", views.StockTakeView.as_view(), name="stocktake"),
    path("stores/<int:pk>/enrol/", views.EnrolmentCreateView.as_view(), name="enrolment-create"),
    path("stores/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("stores/<int:pk>/deliveries/new/", views.DeliveryCreateView.as_view(), name="delivery-create"),
    path("stores/<int:pk>/trips/new/", views.TripCreateView.as_view(), name="trip-create"),
    path("items/", views.ItemListView.as_view(), name="item-list"),
    path("items/new/", views.ItemCreateView.as_view(), name="item-create"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item-edit"),
    path("donations/", views.DonationListView.as_view(), name="donation-list"),
    path("donations/new/", views.donation_create, name="donation-create"),
    path("donations/<int:pk>/", views.donation_detail, name="donation-detail"),
    path("honour/<str:code>/", views.honour_board, name="honour-board"),
    path("honour/store/<int:pk>/", views.honour_store, name="honour-store"),
    path("moves/", views.MoveListView.as_view(), name="move-list"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake-detail"),
    path("enrolments/", views.EnrolmentListView.as_view(), name="enrolment-list"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("points/<int:pk>/reverse/", views.PointReverseView.as_view(), name="points-reverse"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/score/", views.MeetingScoreView.as_view(), name="meeting-score"),
    path("meetings/<int:pk>/step/", views.MeetingStepView.as_view(), name="meeting-step"),
    path("redemptions/", views.RedemptionListView.as_view(), name="redemption-list"),
    path("redemptions/<int:pk>/", views.redemption_detail, name="redemption-detail"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery-list"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/step/", views.DeliveryStepView.as_view(), name="delivery-step"),
    path("trips/<int:pk>/", views.trip_detail, name="trip-detail"),
    path("figures/", views.figures, name="figures"),
]
