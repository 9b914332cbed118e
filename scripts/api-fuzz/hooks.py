"""schemathesis hooks for the API fuzz (run.py loads this file through SCHEMATHESIS_HOOKS).

The fuzzer's key holds keys:admin, and GET /auth/api-keys lists it: schemathesis reuses ids it has seen, so a
DELETE /auth/api-keys/{id} could revoke the very key the rest of the run needs, and every later answer would be a
(documented) 401. Such a call goes to an unknown key id instead, which answers 404.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

OWN_KEY_ID = os.environ["AVATARS_FUZZ_KEY_ID"]
UNKNOWN_KEY_ID = "ak_0000000000000000"


@schemathesis.hook
def before_call(ctx: schemathesis.HookContext, case: schemathesis.Case[Any], **kwargs: Any) -> None:
    if case.method.upper() == "DELETE" and case.path_parameters and case.path_parameters.get("id") == OWN_KEY_ID:
        case.path_parameters["id"] = UNKNOWN_KEY_ID
