/**
 * The Avatars API's paths, generated from its OpenAPI document (GET /api/v1/openapi.json) by openapi-typescript.
 * Do not edit: run `npm run generate:client` (scripts/generate-web-client.ts) after changing a route's schema.
 */

export interface paths {
  '/api/v1/sessions/{id}/whep': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * WHEP: post a viewer's SDP offer (application/sdp), get the SDP answer (201, Location)
     * @description Authorization: Bearer <viewerToken> (the agent token is accepted too). See docs/live-sessions.md.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The SDP answer; `Location` is the viewer, to DELETE when it leaves */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/sdp': string;
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        429: components['responses']['Error'];
        503: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions/{id}/whep/{viewerId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * WHEP: end one viewer (the Location of its answer)
     * @description Authorization: Bearer <viewerToken> (the agent token is accepted too). See docs/live-sessions.md.
     */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
          viewerId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The viewer is gone */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        401: components['responses']['Error'];
        404: components['responses']['Error'];
        503: components['responses']['Error'];
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions/{id}/status': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A live session's state for its viewers: active, or ended and why (no metrics)
     * @description Authorization: Bearer <viewerToken> (or the agent token), also once the session ended, while it is kept. A wrong token and an unknown session are the same 401. See docs/live-sessions.md.
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description ses_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['LiveSessionStatus'];
          };
        };
        401: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions/{id}/expression': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Set the emotion a live session's face shows, as the agent's `expression` message does
     * @description Authorization: Bearer <token> (the agent token; the viewer token is 403). The face eases into it over 250 ms and holds it until the next one; `neutral` clears it. See docs/live-sessions.md.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description ses_… */
          id: string;
        };
        cookie?: never;
      };
      /** @description the emotion, and how strongly it shows */
      requestBody: {
        content: {
          'application/json': {
            /** @description `neutral` shows none */
            name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
            /** @default 1 */
            intensity?: number;
          };
        };
      };
      responses: {
        /** @description The face shows it */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        503: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the avatars the caller may see (its organization's, or without one its own), newest first */
    get: {
      parameters: {
        query?: {
          /** @description exact name */
          name?: string;
          limit?: number;
          /** @description the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile */
          after?: string;
          /** @description items to skip (default 0), kept for compatibility; deeper pages: use "after" with the nextCursor of the previous page. Not with `after` */
          offset?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              avatars: components['schemas']['AvatarSummary'][];
              count: number;
              /** @description pass it as `after` for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    /** Create a new avatar; default resources are derived from its tier */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            name: string;
            tier: 'stylized_3d' | 'animated_portrait' | 'realtime_lipsync';
            description?: string | null;
            /** @description stylized_3d only */
            renderStyle?: 'vrm' | 'orb';
            /** @description hex colour, e.g. #22d3ee */
            orbColor?: string;
            orbSize?: number;
            resources?: {
              /**
               * Format: k8s-quantity
               * @description Kubernetes CPU quantity, e.g. "100m" or "2"
               */
              cpu?: string;
              /**
               * Format: k8s-quantity
               * @description Kubernetes memory quantity, e.g. "256Mi"
               */
              memory?: string;
              gpu?: number;
              gpuType?: 'nvidia-t4' | 'nvidia-l4' | 'nvidia-a10' | 'nvidia-l40s' | 'nvidia-a100' | 'nvidia-h100';
            };
            config?: {
              /**
               * Format: resolution
               * @description WxH, each side an even number 64..4096
               */
              resolution?: string;
              frameRate?: number;
              idleMotion?: boolean;
            };
            onDemand?: {
              schedulingMode?: 'on_demand' | 'always_on';
              autoShutdownMinutes?: number;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Avatar'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a single avatar by ID */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Avatar'];
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    /** Update an avatar: only name, description, config and resources (and orb fields, onDemand) change */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            name?: string;
            description?: string | null;
            /** @description stylized_3d only */
            renderStyle?: 'vrm' | 'orb';
            /** @description hex colour, e.g. #22d3ee */
            orbColor?: string;
            orbSize?: number;
            resources?: {
              /**
               * Format: k8s-quantity
               * @description Kubernetes CPU quantity, e.g. "100m" or "2"
               */
              cpu?: string;
              /**
               * Format: k8s-quantity
               * @description Kubernetes memory quantity, e.g. "256Mi"
               */
              memory?: string;
              gpu?: number;
              gpuType?: 'nvidia-t4' | 'nvidia-l4' | 'nvidia-a10' | 'nvidia-l40s' | 'nvidia-a100' | 'nvidia-h100';
            };
            config?: {
              /**
               * Format: resolution
               * @description WxH, each side an even number 64..4096
               */
              resolution?: string;
              frameRate?: number;
              idleMotion?: boolean;
            };
            onDemand?: {
              schedulingMode?: 'on_demand' | 'always_on';
              autoShutdownMinutes?: number;
            };
            tier?: string;
            _id?: unknown;
            status?: unknown;
            error?: unknown;
            preprocessed?: unknown;
            sourceModel?: unknown;
            sourceImage?: unknown;
            sourceInfo?: unknown;
            renderingEndpoint?: unknown;
            deployment?: unknown;
            userId?: unknown;
            organizationId?: unknown;
            createdAt?: unknown;
            updatedAt?: unknown;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Avatar'];
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    post?: never;
    /** Delete an avatar, its stored files and its rendering container */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              _id: string;
            };
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}/preview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Generate a preview: Tier 1 answers the VRM URL; Tier 2/3 render a clip in the rendering container */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            /** @description the emotion the portrait shows throughout the clip (Tier 2/3; a VRM shows it in the browser) */
            expression?: {
              /** @description `neutral` shows none */
              name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
              /** @default 1 */
              intensity?: number;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              avatarId: string;
              previewUrl: string | null;
              tier?: string;
              message?: string;
              /** @enum {string} */
              status?: 'completed';
              renderStyle?: string;
              orbColor?: string;
              orbSize?: number;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        429: components['responses']['Error'];
        503: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}/deploy': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Start the avatar's rendering container (Tier 2/3); renderingEndpoint is set once it is healthy */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Avatar'];
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}/undeploy': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop the avatar's rendering container; renderingEndpoint goes back to null */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['Avatar'];
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List an avatar's live sessions, newest first (each kept a day past its expiry) */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile */
          after?: string;
          /** @description items to skip (default 0), kept for compatibility; deeper pages: use "after" with the nextCursor of the previous page. Not with `after` */
          offset?: number;
        };
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              sessions: components['schemas']['LiveSession'][];
              count: number;
              /** @description pass it as `after` for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    /**
     * Start a live session with a realtime_lipsync avatar (deploying an on-demand avatar first)
     * @description The agent streams speech to the WebSocket `url` (add `?token=<token>`: the agent token, the only one that speaks); viewers POST an SDP offer to `whepUrl` with `Authorization: Bearer <viewerToken>` (WHEP). Share only the viewer token. With `"transport": "livekit"` the avatar joins the LiveKit room of `livekit.token` instead and hears the agent's `lk.audio_stream` there (docs/livekit.md); the answer comes once it has joined. See docs/live-sessions.md for the protocol.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: {
        content: {
          'application/json': {
            /**
             * @description `whep`: viewers watch over WHEP and the agent speaks on `url`. `livekit`: the avatar joins the room of `livekit`.
             * @default whep
             */
            transport?: 'whep' | 'livekit';
            livekit?: {
              /** @description the LiveKit server's ws(s):// or http(s):// URL */
              url: string;
              /** @description a room token for the avatar (kind `agent`, attribute `lk.publish_on_behalf` = the agent identity) */
              token: string;
            };
            /** @description the emotion the face shows from the first frame, held until the agent sets another (its `expression` message, or `lk.expression` on LiveKit) */
            expression?: {
              /** @description `neutral` shows none */
              name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
              /** @default 1 */
              intensity?: number;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              sessionId: string;
              transport: 'whep' | 'livekit';
              /** @description a LiveKit session's avatar participant, in the room once this answers */
              participantIdentity: string | null;
              /** @description The agent token: speaks on `url` (and may watch). Keep it with the agent. */
              token: string;
              /** @description The viewer token: watches over `whepUrl`, never speaks. Safe to share. */
              viewerToken: string;
              /** Format: date-time */
              expiresAt: string;
              url: string;
              whepUrl: string;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        429: components['responses']['Error'];
        502: components['responses']['Error'];
        503: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a live session: its transport, whether it is active, why it ended, and its live metrics */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description ses_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['LiveSession'];
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    /** End a live session at once: its viewers, its agent (or LiveKit room) and its tokens (ending an ended one changes nothing) */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description ses_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description ended */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/whoami': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The caller: key id, user, organization and scopes */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              keyId: string;
              userId: string;
              organizationId: string | null;
              scopes: ('avatars:read' | 'avatars:write' | 'keys:admin' | 'webhooks:admin')[];
            };
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/api-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the API keys of the caller's organization (without secrets), newest first */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile */
          after?: string;
          /** @description items to skip (default 0), kept for compatibility; deeper pages: use "after" with the nextCursor of the previous page. Not with `after` */
          offset?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              keys: components['schemas']['ApiKey'][];
              count: number;
              /** @description pass it as `after` for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    /** Create an API key in the caller's organization; the secret `key` is shown only here */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            scopes: ('avatars:read' | 'avatars:write' | 'keys:admin' | 'webhooks:admin')[];
            userId?: string;
            name?: string;
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ApiKey'] & {
              key: string;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/api-keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an API key; it is refused from the next request on */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': components['schemas']['ApiKey'];
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the caller's organization's webhook endpoints, newest first (without secrets) */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile */
          after?: string;
          /** @description items to skip (default 0), kept for compatibility; deeper pages: use "after" with the nextCursor of the previous page. Not with `after` */
          offset?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              webhooks: {
                /** @description whk_… */
                _id: string;
                url: string;
                events: (
                  | 'video.completed'
                  | 'video.failed'
                  | 'avatar.ready'
                  | 'avatar.failed'
                  | 'deployment.running'
                  | 'deployment.failed'
                  | 'session.ended'
                )[];
                description: string | null;
                /** @description failing: a delivery ran out of retries (a later success makes it active again); disabled: the receiver answered 410 */
                status: 'active' | 'failing' | 'disabled';
                statusReason: string | null;
                userId: string;
                organizationId: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                updatedAt: string;
              }[];
              count: number;
              /** @description pass it as `after` for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    /** Subscribe a URL to events; the signing `secret` is shown only here */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description http(s) URL the deliveries are POSTed to; private, loopback and link-local addresses are refused */
            url: string;
            events: (
              | 'video.completed'
              | 'video.failed'
              | 'avatar.ready'
              | 'avatar.failed'
              | 'deployment.running'
              | 'deployment.failed'
              | 'session.ended'
            )[];
            description?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description whk_… */
              _id: string;
              url: string;
              events: (
                | 'video.completed'
                | 'video.failed'
                | 'avatar.ready'
                | 'avatar.failed'
                | 'deployment.running'
                | 'deployment.failed'
                | 'session.ended'
              )[];
              description: string | null;
              /** @description failing: a delivery ran out of retries (a later success makes it active again); disabled: the receiver answered 410 */
              status: 'active' | 'failing' | 'disabled';
              statusReason: string | null;
              userId: string;
              organizationId: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            } & {
              /** @description whsec_…: the signing secret, shown only in this answer */
              secret: string;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        409: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One webhook endpoint (without its secret) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description whk_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description whk_… */
              _id: string;
              url: string;
              events: (
                | 'video.completed'
                | 'video.failed'
                | 'avatar.ready'
                | 'avatar.failed'
                | 'deployment.running'
                | 'deployment.failed'
                | 'session.ended'
              )[];
              description: string | null;
              /** @description failing: a delivery ran out of retries (a later success makes it active again); disabled: the receiver answered 410 */
              status: 'active' | 'failing' | 'disabled';
              statusReason: string | null;
              userId: string;
              organizationId: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    /** Remove a webhook endpoint and its delivery log; nothing more is sent to it */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description whk_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description removed */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/{id}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A webhook endpoint's delivery log, newest first: each event, its attempts, status and next attempt */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile */
          after?: string;
          /** @description items to skip (default 0), kept for compatibility; deeper pages: use "after" with the nextCursor of the previous page. Not with `after` */
          offset?: number;
        };
        header?: never;
        path: {
          /** @description whk_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              deliveries: {
                /** @description msg_…, sent as the webhook-id header on every attempt */
                id: string;
                /** @description an event an endpoint can subscribe to */
                event:
                  | 'video.completed'
                  | 'video.failed'
                  | 'avatar.ready'
                  | 'avatar.failed'
                  | 'deployment.running'
                  | 'deployment.failed'
                  | 'session.ended';
                status: 'pending' | 'delivered' | 'failed';
                attempts: number;
                /** @description the receiver's last HTTP status; null when it never answered */
                lastStatusCode: number | null;
                lastError: string | null;
                nextAttemptAt: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                updatedAt: string;
                deliveredAt: string | null;
                payload: {
                  type: string;
                  /** Format: date-time */
                  timestamp: string;
                  data: {
                    [key: string]: unknown;
                  };
                };
              }[];
              count: number;
              /** @description pass it as `after` for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/videos/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get a video job: queued, rendering (progress), completed (url, transparentUrl) or failed (error) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description vid_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description vid_… */
              _id: string;
              avatarId: string;
              status: 'queued' | 'rendering' | 'completed' | 'failed';
              /** @description frames drawn over frames to draw, while rendering */
              progress: number;
              url: string | null;
              transparentUrl: string | null;
              durationSeconds: number;
              width: number;
              height: number;
              frameRate: number;
              error: string | null;
              source: 'audio' | 'text';
              transparent: boolean;
              expression: {
                /** @description `neutral` shows none */
                name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
                /** @default 1 */
                intensity: number;
              } | null;
              background:
                | {
                    color: string;
                  }
                | {
                    imageUrl: string;
                  }
                | null;
              /** @description who made it */
              userId: string;
              organizationId: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              completedAt: string | null;
            };
          };
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    post?: never;
    /** Cancel a queued or rendering video job, or remove a finished video and its files */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description vid_… */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description cancelled or removed */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}/videos': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List an avatar's video jobs, newest first */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile */
          after?: string;
          /** @description items to skip (default 0), kept for compatibility; deeper pages: use "after" with the nextCursor of the previous page. Not with `after` */
          offset?: number;
        };
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              videos: {
                /** @description vid_… */
                _id: string;
                avatarId: string;
                status: 'queued' | 'rendering' | 'completed' | 'failed';
                /** @description frames drawn over frames to draw, while rendering */
                progress: number;
                url: string | null;
                transparentUrl: string | null;
                durationSeconds: number;
                width: number;
                height: number;
                frameRate: number;
                error: string | null;
                source: 'audio' | 'text';
                transparent: boolean;
                expression: {
                  /** @description `neutral` shows none */
                  name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
                  /** @default 1 */
                  intensity: number;
                } | null;
                background:
                  | {
                      color: string;
                    }
                  | {
                      imageUrl: string;
                    }
                  | null;
                /** @description who made it */
                userId: string;
                organizationId: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                updatedAt: string;
                completedAt: string | null;
              }[];
              count: number;
              /** @description pass it as `after` for the next page; null on the last page */
              nextCursor: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    put?: never;
    /**
     * Make a talking video: the avatar says an uploaded audio file or a text, rendered to an MP4 as a job
     * @description Send JSON `{ text, voice?, expression?, background?, transparent? }`, or multipart/form-data with the file field `audio` (and optionally `backgroundImage`). Answers 202 with the job; GET /videos/:id follows it from queued to rendering (progress) to completed (url) or failed (error).
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description what the avatar says, spoken by the text-to-speech engine (espeak-ng, basic) */
            text?: string;
            /** @description an espeak-ng voice (`espeak-ng --voices`), default en-us */
            voice?: string;
            /** @description the emotion the face shows throughout the clip */
            expression?: {
              /** @description `neutral` shows none */
              name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
              /** @default 1 */
              intensity?: number;
            };
            /** @description a colour behind the avatar, #rrggbb (default black) */
            background?: string;
            /**
             * @description also a WebM (VP9) with alpha: stylized_3d avatars only
             * @default false
             */
            transparent?: boolean;
          };
          'multipart/form-data': {
            /**
             * Format: binary
             * @description the speech: WAV, MP3, OGG/Opus, FLAC, M4A or WebM
             */
            audio: string;
            /** @description JSON, e.g. {"name":"happy","intensity":0.8}, or just the name */
            expression?: string;
            /** @description #rrggbb */
            background?: string;
            /**
             * Format: binary
             * @description an image behind the avatar: PNG, JPEG or WebP
             */
            backgroundImage?: string;
            /** @description "true" for a WebM with alpha as well (stylized_3d only) */
            transparent?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** @description vid_… */
              _id: string;
              avatarId: string;
              status: 'queued' | 'rendering' | 'completed' | 'failed';
              /** @description frames drawn over frames to draw, while rendering */
              progress: number;
              url: string | null;
              transparentUrl: string | null;
              durationSeconds: number;
              width: number;
              height: number;
              frameRate: number;
              error: string | null;
              source: 'audio' | 'text';
              transparent: boolean;
              expression: {
                /** @description `neutral` shows none */
                name: 'neutral' | 'happy' | 'sad' | 'surprised' | 'angry' | 'thinking';
                /** @default 1 */
                intensity: number;
              } | null;
              background:
                | {
                    color: string;
                  }
                | {
                    imageUrl: string;
                  }
                | null;
              /** @description who made it */
              userId: string;
              organizationId: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
              completedAt: string | null;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['Error'];
        503: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/avatars/{id}/source': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Upload the avatar's source: a VRM model (stylized_3d) or a portrait photo (Tier 2/3)
     * @description Send multipart/form-data with a "file" field, or the raw file as model/gltf-binary, model/vrm, application/octet-stream, image/png, image/jpeg, image/webp. A VRM is validated at once; a portrait is preprocessed in the background (status preprocessing, then ready or failed).
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Avatar ID (avt_...) */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'multipart/form-data': {
            /**
             * Format: binary
             * @description The VRM model or the portrait photo
             */
            file: string;
          };
          'model/gltf-binary': string;
          'model/vrm': string;
          'application/octet-stream': string;
          'image/png': string;
          'image/jpeg': string;
          'image/webp': string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              url: string;
              field: 'sourceModel' | 'sourceImage';
              size: number;
            };
          };
        };
        400: components['responses']['Error'];
        401: components['responses']['Error'];
        403: components['responses']['Error'];
        404: components['responses']['Error'];
        409: components['responses']['Error'];
        413: components['responses']['Error'];
        415: components['responses']['Error'];
        422: components['responses']['Error'];
        429: components['responses']['Error'];
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Avatar: {
      _id: string;
      name: string;
      description: string | null;
      tier: 'stylized_3d' | 'animated_portrait' | 'realtime_lipsync';
      renderStyle?: 'vrm' | 'orb';
      orbColor?: string;
      orbSize?: number;
      preprocessed: boolean;
      status: 'creating' | 'preprocessing' | 'ready' | 'failed';
      error: string | null;
      resources: {
        /**
         * Format: k8s-quantity
         * @description Kubernetes CPU quantity, e.g. "100m" or "2"
         */
        cpu?: string;
        /**
         * Format: k8s-quantity
         * @description Kubernetes memory quantity, e.g. "256Mi"
         */
        memory?: string;
        gpu?: number;
        gpuType?: 'nvidia-t4' | 'nvidia-l4' | 'nvidia-a10' | 'nvidia-l40s' | 'nvidia-a100' | 'nvidia-h100';
      };
      config: {
        /**
         * Format: resolution
         * @description WxH, each side an even number 64..4096
         */
        resolution: string;
        frameRate: number;
        idleMotion: boolean;
      };
      onDemand?: {
        schedulingMode: 'on_demand' | 'always_on';
        autoShutdownMinutes: number;
      } | null;
      sourceModel: string | null;
      sourceImage?: string | null;
      sourceInfo: {
        [key: string]: unknown;
      } | null;
      renderingEndpoint: string | null;
      /** @description Tier 2/3: the rendering container */
      deployment?: {
        state: 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';
        /** @description when it entered this state; null before the first deploy */
        since: string | null;
        restarts: number;
        lastError: string | null;
      };
      userId: string;
      organizationId: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    AvatarSummary: {
      _id: string;
      name: string;
      tier: 'stylized_3d' | 'animated_portrait' | 'realtime_lipsync';
      status: 'creating' | 'preprocessing' | 'ready' | 'failed';
      userId: string;
      organizationId: string | null;
      /** Format: date-time */
      createdAt: string;
    };
    ApiKey: {
      id: string;
      name: string | null;
      prefix: string;
      userId: string;
      organizationId: string | null;
      scopes: ('avatars:read' | 'avatars:write' | 'keys:admin' | 'webhooks:admin')[];
      /** Format: date-time */
      createdAt: string;
      expiresAt: string | null;
      revokedAt: string | null;
    };
    ErrorBody: {
      error: string;
      code: string;
      details?: {
        path: string;
        message: string;
      }[];
      /** @description why, where `error` is a fixed sentence (a 503 for a rendering container) */
      reason?: string;
    };
    LiveSession: {
      _id: string;
      avatarId: string;
      transport: 'whep' | 'livekit';
      state: 'active' | 'ended';
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      expiresAt: string;
      endedAt: string | null;
      /** @description null while active; end, deleted, max-session, idle, shutdown, agent-left, room-closed (LiveKit), renderer-failed (its container crashed) or renderer-gone (its container stopped or lost it) */
      endReason: string | null;
      /** @description a LiveKit session's avatar participant */
      participantIdentity: string | null;
      /** @description live figures from the rendering container (the last known once ended); null when it did not answer */
      metrics: {
        timeToFirstFrameMs: number | null;
        fps: number;
        latencyMs: {
          p50: number;
          p95: number;
        } | null;
        driftMs: number | null;
        maxDriftMs: number | null;
        framesDrawn: number;
        framesSkipped: number;
        /** @description frames the agent socket's frame output dropped for a slow reader */
        framesDropped: number;
        /** @description audio it dropped likewise, past its cap */
        audioDroppedMs: number;
        viewers: number;
        speechSeconds: number;
        queuedMs: number;
      } | null;
    };
    LiveSessionStatus: {
      sessionId: string;
      state: 'active' | 'ended';
      /** @description null while active; end, deleted, max-session, idle, shutdown, agent-left, room-closed (LiveKit), renderer-failed (its container crashed) or renderer-gone (its container stopped or lost it) */
      endReason: string | null;
      endedAt: string | null;
    };
  };
  responses: {
    /** @description An error: `{ error, code, details?, reason? }` (docs/design.md) */
    Error: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/json': components['schemas']['ErrorBody'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
