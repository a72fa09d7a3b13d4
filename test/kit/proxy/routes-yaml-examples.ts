/** routes.yaml texts the route table's and the commands' tests share: the DESIGN example, and a file with comments everywhere. */
export const DESIGN_EXAMPLE = `version: 1
backends:
  legacy: { url: http://127.0.0.1:5601, auth: session }  # cookie passed as is
  new:    { url: http://127.0.0.1:5602, auth: jwt }      # bridge adds a bearer token
default: legacy                 # anything no route matches
routes:                         # first match wins, in file order
  - name: auth
    paths: [/auth/**]
    target: legacy
  - name: users
    paths: [/users, /users/**]
    methods: [GET, POST, PUT, DELETE]      # optional
    target: legacy
    canary: { to: new, percent: 25 }       # optional: sticky share of users sent to \`to\`
    shadow:                                # optional: mirror and diff
      to: new
      methods: [GET]                       # default [GET, HEAD]
      percent: 100
      ignore: [created_at, "*.updated_at"]
  - name: mcp
    paths: [/mcp, /mcp/**]
    target: legacy
`;

/** Three routes, all on legacy, block style, with comments everywhere. */
export const COMMENTED = `# top comment
version: 1
backends:
  legacy: { url: "\${LEGACY_URL:-http://127.0.0.1:5601}", auth: session }   # old app
  new:
    url: \${NEW_BACKEND_URL:-http://127.0.0.1:5602}
    auth: jwt   # bridged
default: legacy

routes:
  # authentication
  - name: auth
    paths: [/auth, /auth/**]
    target: legacy      # still old

  - name: users
    paths: [/users, /users/**]
    target: legacy
    # canary: { to: new, percent: 25 }

  - name: mcp   # commands
    paths:
      - /mcp
      - /mcp/**
    target: "legacy"
# trailing comment
`;
