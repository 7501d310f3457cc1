"""Additions to the OpenAPI description that no single view declares."""

THROTTLED = {
    "description": "Over a rate: API_RATE_PER_TOKEN, API_RATE_PER_ADDRESS, or API_FAILED_AUTHENTICATIONS_PER_ADDRESS "
    "(wrong tokens from the address). The detail names the rate and its setting; Retry-After says when to try again.",
    "headers": {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Whole seconds until one more request is allowed.",
        }
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def throttled_answers(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: every operation may answer 429, since the throttles apply to all."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("429", THROTTLED)
    return result


def lookup_tags(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: each look-up service's group of operations (the last part of its
    api_path) says what it is for, unless the settings' TAGS describe it already."""
    from imports.api.lookup_docs import tag_of
    from imports.declare.lookups import all_lookups

    tags = result.setdefault("tags", [])
    described = {tag["name"] for tag in tags}
    for service in all_lookups():
        name = service.api_path and tag_of(service)
        if name and name not in described:
            tags.append({"name": name, "description": f"{service.verbose_name.capitalize()}s from an uploaded CSV: "
                         "upload the file, follow the job's progress, download the results CSV, retry or cancel."})
            described.add(name)
    return result
