from django.urls import path

from . import views

app_name = "consumption"

urlpatterns = [
    path("suppliers/", views.SupplierListView.as_view(), name="supplier-list"),
    path("suppliers/new/", views.SupplierCreateView.as_view(), name="supplier-create"),
    path("suppliers/<int:pk>/", views.SupplierDetailView.as_view(), name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", views.SupplierEditView.as_view(), name="supplier-edit"),
    path("suppliers/<int:pk>/links/new/", views.household_link_create, name="link-create"),
    path("links/<int:pk>/delete/", views.household_link_delete, name="link-delete"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/new/", views.ProductCreateView.as_view(), name="product-create"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product-edit"),
    path("products/<int:pk>/photo/", views.product_photo, name="product-photo"),
    path("certifications/", views.CertificationListView.as_view(), name="certification-list"),
    path("certifications/new/", views.CertificationCreateView.as_view(), name="certification-create"),
    path("certifications/<int:pk>/", views.CertificationDetailView.as_view(), name="certification-detail"),
    path("certifications/<int:pk>/edit/", views.CertificationEditView.as_view(), name="certification-edit"),
    path("purchases/", views.PurchaseListView.as_view(), name="purchase-list"),
    path("purchases/new/", views.purchase_create, name="purchase-create"),
    path("purchases/line/", views.purchase_line, name="purchase-line"),
    path("purchases/<int:pk>/", views.PurchaseDetailView.as_view(), name="purchase-detail"),
    path("purchases/<int:pk>/edit/", views.purchase_edit, name="purchase-edit"),
    path("totals/", views.totals, name="totals"),
    path("quotas/", views.board, name="board"),
    path("quotas/new/", views.quota_create, name="quota-create"),
    path("quotas/<int:pk>/edit/", views.quota_edit, name="quota-edit"),
    path("declarations/new/", views.declaration_create, name="declaration-create"),
    path("reach/", views.household_reach, name="reach"),
]
