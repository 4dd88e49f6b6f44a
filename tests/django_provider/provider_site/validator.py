"""The OpenID claims of the test users: profile and email from the Django user."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "given_name": "profile",
        "family_name": "profile",
        "name": "profile",
        "email": "email",
        "email_verified": "email",
    }

    def get_additional_claims(self, request):
        user = request.user
        return {
            "given_name": user.first_name,
            "family_name": user.last_name,
            "name": f"{user.first_name} {user.last_name}",
            "email": user.email,
            "email_verified": True,
        }
