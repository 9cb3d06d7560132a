"""A resource server as pico-client-auth's users write one: a pico-fastapi controller.

pico_client_auth_check.py wires it with pico-ioc (the way a deployment does, settings
under `auth_client`, as in the README) and calls it through httpx's ASGI transport.
"""

from pico_fastapi import controller, get

from pico_client_auth import SecurityContext, allow_anonymous, requires_role


@controller(prefix="/api")
class ResourceController:
    @get("/public")
    @allow_anonymous
    async def public(self):
        return {"anonymous": True}

    @get("/admin")
    @requires_role("superadmin", "org_admin")
    async def admin(self):
        claims = SecurityContext.require()
        return {"sub": claims.sub, "email": claims.email, "roles": SecurityContext.get_roles()}

    @get("/agents")
    @requires_role("agent", "service")
    async def agents(self):
        return {"sub": SecurityContext.require().sub}
