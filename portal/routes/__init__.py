"""Route modules, one per page group. Each exposes `routes`; `portal.app` mounts them."""

from starlette.routing import Route


def twin(path: str, endpoint, name: str, **kwargs) -> list[Route]:
    """The page and its JSON twin (`….json`), from one endpoint. The `.json` route must come first."""
    return [
        Route(f"{path}.json", endpoint, name=f"{name}_json", **kwargs),
        Route(path, endpoint, name=name, **kwargs),
    ]
