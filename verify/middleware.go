package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/fbverify/fbverify/claims"
)

type contextKey struct{}

// ContextWithToken returns a copy of ctx carrying tok.
func ContextWithToken(ctx context.Context, tok *claims.Token) context.Context {
	return context.WithValue(ctx, contextKey{}, tok)
}

// TokenFromContext returns the verified token that the middleware put in
// ctx, and whether there is one.
func TokenFromContext(ctx context.Context) (*claims.Token, bool) {
	tok, ok := ctx.Value(contextKey{}).(*claims.Token)
	return tok, ok && tok != nil
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header. It returns ErrNoToken when there is no Authorization header, and
// ErrBadAuthorizationHeader when there are several, or when the one there
// is not what ParseAuthorization accepts.
func BearerToken(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", ErrNoToken
	case 1:
		return ParseAuthorization(values[0])
	default:
		return "", fmt.Errorf("%w: %d Authorization headers", ErrBadAuthorizationHeader, len(values))
	}
}

// ParseAuthorization returns the token of one Authorization value,
// "Bearer <token>" (the scheme in any case), as found in an HTTP header or
// gRPC metadata. It returns ErrNoToken for an empty value and
// ErrBadAuthorizationHeader for another scheme, an empty token, or more
// than one word after the scheme. Spaces and tabs around the value are not
// part of it (RFC 9110's optional whitespace), as net/http already trims
// them from a header; they are trimmed here too for gRPC metadata.
func ParseAuthorization(value string) (string, error) {
	value = strings.Trim(value, " \t")
	if strings.TrimSpace(value) == "" {
		return "", ErrNoToken
	}
	scheme, token, ok := strings.Cut(value, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", fmt.Errorf("%w: want the Bearer scheme", ErrBadAuthorizationHeader)
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", fmt.Errorf("%w: want one token after Bearer", ErrBadAuthorizationHeader)
	}
	return token, nil
}

// VerifyRequest verifies the Bearer token of r's Authorization header with
// r's context. It is the one call a framework adapter needs.
func (v *Verifier) VerifyRequest(r *http.Request) (*claims.Token, error) {
	token, err := BearerToken(r.Header)
	if err != nil {
		return nil, err
	}
	return v.Verify(r.Context(), token)
}

// ErrorResponder writes the response for a request whose token was
// refused; err wraps one of this package's sentinels.
type ErrorResponder func(w http.ResponseWriter, r *http.Request, err error)

// MiddlewareOption configures the middleware of either verifier (and of
// the adapters, which take the same options).
type MiddlewareOption interface {
	applyToMiddleware(*middleware)
}

// middlewareOption is a MiddlewareOption that sets one thing.
type middlewareOption func(*middleware)

func (f middlewareOption) applyToMiddleware(m *middleware) { f(m) }

type middleware struct {
	optional    bool
	cookie      string
	respond     ErrorResponder
	logger      *slog.Logger // LogRefusals; nil logs nothing
	fromRequest func(*http.Request) (string, error)
}

// Optional lets requests without a token through, with no token in their
// context. A request with a bad token is still refused.
func Optional() MiddlewareOption {
	return middlewareOption(func(m *middleware) { m.optional = true })
}

// FromCookie reads the token from the named cookie (a session cookie,
// typically) instead of the Authorization header.
func FromCookie(name string) MiddlewareOption {
	return middlewareOption(func(m *middleware) { m.cookie = name })
}

// WithErrorResponder replaces the default response to refused requests
// (see WriteError).
func WithErrorResponder(respond ErrorResponder) MiddlewareOption {
	return middlewareOption(func(m *middleware) {
		if respond != nil {
			m.respond = respond
		}
	})
}

// LogRefusals logs each refused request to logger, so a server's own log
// says why a client was turned away (the client only sees a fixed message
// for the code): method, path (without the query), code and the full
// error, which names the rule and the values it compared, and never the
// token. Refusals the server is to blame for (keys or the revocation
// check unavailable) are warnings; the others are at info level.
func LogRefusals(logger *slog.Logger) MiddlewareOption {
	return middlewareOption(func(m *middleware) { m.logger = logger })
}

// Middleware returns net/http middleware that verifies each request's
// token and passes the request on with the verified token in its context
// (see TokenFromContext), or refuses it with WriteError.
func (v *Verifier) Middleware(opts ...MiddlewareOption) func(http.Handler) http.Handler {
	m := newMiddleware(opts, func(r *http.Request) (string, error) { return BearerToken(r.Header) })
	return m.wrap(func(ctx context.Context, token string) (context.Context, error) {
		tok, err := v.Verify(ctx, token)
		if err != nil {
			return nil, err
		}
		return ContextWithToken(ctx, tok), nil
	})
}

func newMiddleware(opts []MiddlewareOption, fromRequest func(*http.Request) (string, error)) *middleware {
	m := &middleware{respond: WriteError, fromRequest: fromRequest}
	for _, opt := range opts {
		opt.applyToMiddleware(m)
	}
	return m
}

// wrap builds the handler chain: verify turns a token into the context
// the next handler sees.
func (m *middleware) wrap(verify func(ctx context.Context, token string) (context.Context, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, err := m.token(r)
			if errors.Is(err, ErrNoToken) && m.optional {
				next.ServeHTTP(w, r)
				return
			}
			if err == nil {
				var ctx context.Context
				if ctx, err = verify(r.Context(), token); err == nil {
					next.ServeHTTP(w, r.WithContext(ctx))
					return
				}
			}
			m.logRefusal(r, err)
			m.respond(w, r, err)
		})
	}
}

// logRefusal logs a refused request, if LogRefusals asked for it.
func (m *middleware) logRefusal(r *http.Request, err error) {
	if m.logger == nil {
		return
	}
	level := slog.LevelInfo
	if IsServerSide(err) {
		level = slog.LevelWarn
	}
	m.logger.LogAttrs(r.Context(), level, "verify: request refused",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("code", ErrorCode(err)), slog.String("error", err.Error()))
}

func (m *middleware) token(r *http.Request) (string, error) {
	if m.cookie == "" {
		return m.fromRequest(r)
	}
	c, err := r.Cookie(m.cookie)
	if err != nil || c.Value == "" {
		return "", ErrNoToken
	}
	return c.Value, nil
}

// errorBody is the JSON body of a refusal.
type errorBody struct {
	Error   string `json:"error"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError is the default ErrorResponder. It answers:
//   - 401 with "WWW-Authenticate: Bearer" when no token was sent;
//   - 400 with error="invalid_request" for a malformed Authorization header;
//   - 503 when the token could not be judged (keys or revocation check
//     unavailable);
//   - 401 with error="invalid_token" otherwise (RFC 6750).
//
// The JSON body names the error code and a fixed message for it; it never
// echoes the token, the key endpoint's errors or the claims' values.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	code := ErrorCode(err)
	status, oauthErr := http.StatusUnauthorized, "invalid_token"
	switch {
	case errors.Is(err, ErrNoToken):
		oauthErr = ""
	case errors.Is(err, ErrBadAuthorizationHeader):
		status, oauthErr = http.StatusBadRequest, "invalid_request"
	case IsServerSide(err), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status, oauthErr = http.StatusServiceUnavailable, ""
		w.Header().Set("Retry-After", "5")
	}
	message := publicMessage(err)
	if status != http.StatusServiceUnavailable {
		challenge := "Bearer"
		if oauthErr != "" {
			challenge += fmt.Sprintf(` error=%q, error_description=%q`, oauthErr, message)
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if oauthErr == "" {
		oauthErr = "unauthorized"
		if status == http.StatusServiceUnavailable {
			oauthErr = "temporarily_unavailable"
		}
	}
	_ = json.NewEncoder(w).Encode(errorBody{Error: oauthErr, Code: code, Message: message})
}

// publicMessage is a fixed text for err's rule, safe to show a client.
func publicMessage(err error) string {
	if c := lookupCode(err); c != nil {
		return c.message
	}
	return "invalid token"
}
