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

	"github.com/fbverify/fbverify/testdata/frameworks/connectauth"
	"github.com/fbverify/fbverify/testdata/frameworks/internal/fwtest"
	"github.com/fbverify/fbverify/verify"
)

const (
	unaryProcedure  = "/fbverify.test.Whoami/Unary"
	streamProcedure = "/fbverify.test.Whoami/Stream"
)

// serve runs a unary and a server-streaming handler, without generated
// code, behind v's interceptor on a loopback HTTP/2 server (TLS, so that
// the gRPC protocol works too). It returns the base URL and a client.
func serve(t *testing.T, v *verify.Verifier) (string, *http.Client) {
	t.Helper()
	interceptors := connect.WithInterceptors(connectauth.NewInterceptor(v))
	mux := http.NewServeMux()
	mux.Handle(unaryProcedure, connect.NewUnaryHandler(unaryProcedure,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			tok, _ := verify.TokenFromContext(ctx)
			return connect.NewResponse(wrapperspb.String("hello " + tok.UID)), nil
		},
		interceptors,
	))
	mux.Handle(streamProcedure, connect.NewServerStreamHandler(streamProcedure,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue], stream *connect.ServerStream[wrapperspb.StringValue]) error {
			tok, ok := verify.TokenFromContext(ctx)
			if !ok {
				return connect.NewError(connect.CodeInternal, nil)
			}
			return stream.Send(wrapperspb.String("hello " + tok.UID))
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

// call makes the unary call, or reads the stream's one message, with
// authorization as the request's header (none if empty).
func call(t *testing.T, url string, httpClient *http.Client, protocol connect.ClientOption, stream bool, authorization string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := connect.NewRequest(wrapperspb.String("hi"))
	if authorization != "" {
		req.Header().Set("Authorization", authorization)
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
	f := fwtest.New(t)
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
	f := fwtest.New(t)
	url, client := serve(t, f.Verifier)
	_, err := call(t, url, client, connect.WithProtoJSON(), false, "Bearer "+f.Tampered)
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr.Message() != "connectauth: invalid_signature" {
		t.Fatalf("error %v, want the message connectauth: invalid_signature", err)
	}
}
