package connectauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/connectauth"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

const (
	unaryProcedure  = "/fbverify.test.Whoami/Unary"
	streamProcedure = "/fbverify.test.Whoami/Stream"
)

// serve runs a unary and a server-streaming handler, without generated
// code, behind v's interceptor built with opts, on a loopback HTTP/2 server (TLS, so that
// the gRPC protocol works too). It returns the base URL and a client.
func serve(t *testing.T, v *verify.Verifier, opts ...connectauth.Option) (string, *http.Client) {
	t.Helper()
	interceptors := connect.WithInterceptors(connectauth.NewInterceptor(v, opts...))
	mux := http.NewServeMux()
	mux.Handle(unaryProcedure, connect.NewUnaryHandler(unaryProcedure,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			return connect.NewResponse(hello(ctx)), nil
		},
		interceptors,
	))
	mux.Handle(streamProcedure, connect.NewServerStreamHandler(streamProcedure,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue], stream *connect.ServerStream[wrapperspb.StringValue]) error {
			return stream.Send(hello(ctx))
		},
		interceptors,
	))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.Timeout = 10 * time.Second
	return srv.URL, client
}

// hello is the handlers' work: it reads the verified token, and greets a
// guest when there is none (Optional let the call through).
func hello(ctx context.Context) *wrapperspb.StringValue {
	if tok, ok := verify.TokenFromContext(ctx); ok {
		return wrapperspb.String("hello " + tok.UID)
	}
	return wrapperspb.String("hello guest")
}

// call makes the unary call, or reads the stream's one message, with
// authorization as the request's header (none if empty).
func call(t *testing.T, url string, httpClient *http.Client, protocol connect.ClientOption, stream bool, authorization string) (string, error) {
	t.Helper()
	h := http.Header{}
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	return callWith(t, url, httpClient, protocol, stream, h)
}

// callWith is call with h as the request's header.
func callWith(t *testing.T, url string, httpClient *http.Client, protocol connect.ClientOption, stream bool, h http.Header) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := connect.NewRequest(wrapperspb.String("hi"))
	for name, values := range h {
		for _, value := range values {
			req.Header().Add(name, value)
		}
	}
	if !stream {
		client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](httpClient, url+unaryProcedure, protocol)
		resp, err := client.CallUnary(ctx, req)
		if err != nil {
			return "", err
		}
		return resp.Msg.GetValue(), nil
	}
	client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](httpClient, url+streamProcedure, protocol)
	s, err := client.CallServerStream(ctx, req)
	if err != nil {
		return "", err
	}
	defer s.Close()
	var got string
	for s.Receive() {
		got += s.Msg().GetValue()
	}
	return got, s.Err()
}

func TestConnect(t *testing.T) {
	f := authtest.New(t)
	url, httpClient := serve(t, f.Verifier)
	downURL, downClient := serve(t, f.Unavailable)

	type tc struct {
		name          string
		url           string
		client        *http.Client
		authorization string
		want          connect.Code // 0 for success
		wantBody      string
	}
	var tests []tc
	for _, c := range f.Cases() {
		test := tc{name: c.Name, url: url, client: httpClient, want: connect.CodeUnauthenticated}
		if c.Token != "" {
			test.authorization = "Bearer " + c.Token
		}
		if c.WantUID != "" {
			test.want, test.wantBody = 0, "hello "+c.WantUID
		}
		tests = append(tests, test)
	}
	tests = append(tests,
		tc{name: "another scheme", url: url, client: httpClient, authorization: "Basic dXNlcjpwYXNz", want: connect.CodeUnauthenticated},
		tc{name: "keys unavailable", url: downURL, client: downClient, authorization: "Bearer " + f.Valid, want: connect.CodeUnavailable},
	)
	protocols := []struct {
		name   string
		option connect.ClientOption
	}{
		{"connect", connect.WithProtoJSON()},
		{"grpc", connect.WithGRPC()},
		{"grpcweb", connect.WithGRPCWeb()},
	}
	for _, p := range protocols {
		for _, kind := range []string{"unary", "stream"} {
			for _, tt := range tests {
				t.Run(p.name+"/"+kind+"/"+tt.name, func(t *testing.T) {
					got, err := call(t, tt.url, tt.client, p.option, kind == "stream", tt.authorization)
					var code connect.Code
					if err != nil {
						code = connect.CodeOf(err)
					}
					if code != tt.want {
						t.Fatalf("code %v (%v), want %v", code, err, tt.want)
					}
					if got != tt.wantBody {
						t.Fatalf("got %q, want %q", got, tt.wantBody)
					}
				})
			}
		}
	}
}

func TestConnectMessageIsTheCode(t *testing.T) {
	f := authtest.New(t)
	url, client := serve(t, f.Verifier)
	_, err := call(t, url, client, connect.WithProtoJSON(), false, "Bearer "+f.Tampered)
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr.Message() != "connectauth: invalid_signature" {
		t.Fatalf("error %v, want the message connectauth: invalid_signature", err)
	}
}

func TestConnectOptions(t *testing.T) {
	f := authtest.New(t)
	optionalURL, optionalClient := serve(t, f.Verifier, connectauth.Optional())
	cookieURL, cookieClient := serve(t, f.Verifier, connectauth.FromCookie("session"))
	// The responder sees the verify error and picks the code.
	responderURL, responderClient := serve(t, f.Verifier, connectauth.WithErrorResponder(func(_ context.Context, err error) error {
		return connect.NewError(connect.CodePermissionDenied, errors.New("custom: "+verify.ErrorCode(err)))
	}))
	bearer := func(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
	cookie := func(line string) http.Header { return http.Header{"Cookie": {line}} }

	tests := []struct {
		name     string
		url      string
		client   *http.Client
		header   http.Header
		want     connect.Code // 0 for success
		wantBody string
		wantMsg  string
	}{
		{name: "optional: no token", url: optionalURL, client: optionalClient, wantBody: "hello guest"},
		{name: "optional: valid token", url: optionalURL, client: optionalClient, header: bearer(f.Valid), wantBody: "hello " + authtest.UID},
		{name: "optional: expired token", url: optionalURL, client: optionalClient, header: bearer(f.Expired), want: connect.CodeUnauthenticated},
		{name: "optional: two Authorization headers", url: optionalURL, client: optionalClient, header: http.Header{"Authorization": {"Bearer " + f.Valid, "Bearer " + f.Expired}}, want: connect.CodeUnauthenticated, wantMsg: "connectauth: bad_authorization_header"},
		{name: "cookie: valid token", url: cookieURL, client: cookieClient, header: cookie("theme=dark; session=" + f.Valid), wantBody: "hello " + authtest.UID},
		{name: "cookie: tampered token", url: cookieURL, client: cookieClient, header: cookie("session=" + f.Tampered), want: connect.CodeUnauthenticated, wantMsg: "connectauth: invalid_signature"},
		{name: "cookie: authorization ignored", url: cookieURL, client: cookieClient, header: bearer(f.Valid), want: connect.CodeUnauthenticated, wantMsg: "connectauth: no_token"},
		{name: "responder: expired token", url: responderURL, client: responderClient, header: bearer(f.Expired), want: connect.CodePermissionDenied, wantMsg: "custom: token_expired"},
		{name: "responder: valid token", url: responderURL, client: responderClient, header: bearer(f.Valid), wantBody: "hello " + authtest.UID},
	}
	for _, kind := range []string{"unary", "stream"} {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				got, err := callWith(t, tt.url, tt.client, connect.WithProtoJSON(), kind == "stream", tt.header)
				var code connect.Code
				if err != nil {
					code = connect.CodeOf(err)
				}
				if code != tt.want {
					t.Fatalf("code %v (%v), want %v", code, err, tt.want)
				}
				if got != tt.wantBody {
					t.Fatalf("got %q, want %q", got, tt.wantBody)
				}
				var cerr *connect.Error
				if tt.wantMsg != "" && (!errors.As(err, &cerr) || cerr.Message() != tt.wantMsg) {
					t.Fatalf("error %v, want the message %q", err, tt.wantMsg)
				}
			})
		}
	}
}
