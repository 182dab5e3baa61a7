from django.urls import path

from . import views_lcw, views_wallet

app_name = "wallet"

# OpenID4VCI 1.0 (views_wallet.py): the issuer's metadata at the well-known addresses of its
# identifier (the site's root), and the endpoints a wallet calls.
urlpatterns = [
    path(
        ".well-known/openid-credential-issuer",
        views_wallet.issuer_metadata,
        name="issuer_metadata",
    ),
    path(
        ".well-known/oauth-authorization-server",
        views_wallet.authorization_server_metadata,
        name="authorization_server_metadata",
    ),
    path("oid4vci/token", views_wallet.token, name="token"),
    path("oid4vci/nonce", views_wallet.nonce, name="nonce"),
    path("oid4vci/credential", views_wallet.credential, name="credential"),
    path("learn/badges/<uuid:pk>/wallet/", views_wallet.add_to_wallet, name="add_to_wallet"),
    # The Learner Credential Wallet's exchange (views_lcw.py): the learner's deep link, and the
    # endpoint the wallet posts its DIDAuth to.
    path("learn/badges/<uuid:pk>/wallet/lcw/", views_lcw.lcw_offer, name="lcw_offer"),
    path("lcw/exchanges/<str:exchange_id>/", views_lcw.exchange, name="lcw_exchange"),
]
