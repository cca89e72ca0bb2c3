package grpcauth_test

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/grpcauth"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

// whoami is a gRPC service registered by hand, without generated code:
// Unary answers "hello <uid>", and Stream sends that once, both with
// wrapperspb.StringValue messages.
var whoami = grpc.ServiceDesc{
	ServiceName: "fbverify.test.Whoami",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Unary",
		Handler: func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			handler := func(ctx context.Context, _ any) (any, error) { return hello(ctx) }
			if interceptor == nil {
				return handler(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{FullMethod: "/fbverify.test.Whoami/Unary"}, handler)
		},
	}},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Stream",
		ServerStreams: true,
		Handler: func(_ any, stream grpc.ServerStream) error {
			if err := stream.RecvMsg(new(wrapperspb.StringValue)); err != nil {
				return err
			}
			out, err := hello(stream.Context())
			if err != nil {
				return err
			}
			return stream.SendMsg(out)
		},
	}},
}

// hello is the handlers' work: it reads the verified token, and greets a
// guest when there is none (Optional let the call through).
func hello(ctx context.Context) (*wrapperspb.StringValue, error) {
	if tok, ok := verify.TokenFromContext(ctx); ok {
		return wrapperspb.String("hello " + tok.UID), nil
	}
	return wrapperspb.String("hello guest"), nil
}

// dial serves whoami behind v's interceptors, built with opts, on a
// loopback listener and
// returns a client connected to it; both stop when the test ends.
func dial(t *testing.T, v *verify.Verifier, opts ...grpcauth.Option) *grpc.ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(
		grpc.UnaryInterceptor(grpcauth.UnaryServerInterceptor(v, opts...)),
		grpc.StreamInterceptor(grpcauth.StreamServerInterceptor(v, opts...)),
	)
	srv.RegisterService(&whoami, struct{}{})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)

	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// call makes the unary call, or opens the stream and reads its one
// message, with authorization as the call's metadata (none if empty).
func call(t *testing.T, conn *grpc.ClientConn, stream bool, authorization string) (string, error) {
	t.Helper()
	var md metadata.MD
	if authorization != "" {
		md = metadata.Pairs("authorization", authorization)
	}
	return callWith(t, conn, stream, md)
}

// callWith is call with md as the call's metadata.
func callWith(t *testing.T, conn *grpc.ClientConn, stream bool, md metadata.MD) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.NewOutgoingContext(ctx, md)
	out := new(wrapperspb.StringValue)
	if !stream {
		err := conn.Invoke(ctx, "/fbverify.test.Whoami/Unary", wrapperspb.String("hi"), out)
		return out.GetValue(), err
	}
	s, err := conn.NewStream(ctx, &whoami.Streams[0], "/fbverify.test.Whoami/Stream")
	if err != nil {
		return "", err
	}
	if err := s.SendMsg(wrapperspb.String("hi")); err != nil {
		return "", err
	}
	if err := s.CloseSend(); err != nil {
		return "", err
	}
	err = s.RecvMsg(out)
	return out.GetValue(), err
}

func TestGRPC(t *testing.T) {
	f := authtest.New(t)
	conn := dial(t, f.Verifier)
	down := dial(t, f.Unavailable)

	type tc struct {
		name          string
		conn          *grpc.ClientConn
		authorization string
		want          codes.Code
		wantBody      string
	}
	var tests []tc
	for _, c := range f.Cases() {
		test := tc{name: c.Name, conn: conn, want: codes.Unauthenticated}
		if c.Token != "" {
			test.authorization = "Bearer " + c.Token
		}
		if c.WantUID != "" {
			test.want, test.wantBody = codes.OK, "hello "+c.WantUID
		}
		tests = append(tests, test)
	}
	tests = append(tests,
		tc{name: "another scheme", conn: conn, authorization: "Basic dXNlcjpwYXNz", want: codes.Unauthenticated},
		tc{name: "two words after Bearer", conn: conn, authorization: "Bearer " + f.Valid + " x", want: codes.Unauthenticated},
		tc{name: "keys unavailable", conn: down, authorization: "Bearer " + f.Valid, want: codes.Unavailable},
	)
	for _, kind := range []string{"unary", "stream"} {
		stream := kind == "stream"
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				got, err := call(t, tt.conn, stream, tt.authorization)
				if code := status.Code(err); code != tt.want {
					t.Fatalf("code %v (%v), want %v", code, err, tt.want)
				}
				if got != tt.wantBody {
					t.Fatalf("got %q, want %q", got, tt.wantBody)
				}
			})
		}
	}
}

func TestGRPCMessageIsTheCode(t *testing.T) {
	f := authtest.New(t)
	conn := dial(t, f.Verifier)
	_, err := call(t, conn, false, "Bearer "+f.Expired)
	if got, want := status.Convert(err).Message(), "grpcauth: token_expired"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}

func TestGRPCTwoAuthorizationValues(t *testing.T) {
	f := authtest.New(t)
	conn := dial(t, f.Verifier)
	md := metadata.Pairs("authorization", "Bearer "+f.Valid, "authorization", "Bearer "+f.Expired)
	_, err := callWith(t, conn, false, md)
	if got, want := status.Convert(err).Message(), "grpcauth: bad_authorization_header"; status.Code(err) != codes.Unauthenticated || got != want {
		t.Fatalf("error %v, want Unauthenticated with the message %q", err, want)
	}
}

func TestGRPCOptions(t *testing.T) {
	f := authtest.New(t)
	optional := dial(t, f.Verifier, grpcauth.Optional())
	cookie := dial(t, f.Verifier, grpcauth.FromCookie("session"))
	// The responder sees the call's context and the verify error.
	responder := dial(t, f.Verifier, grpcauth.WithErrorResponder(func(ctx context.Context, err error) error {
		if _, ok := metadata.FromIncomingContext(ctx); !ok {
			return status.Error(codes.Internal, "no incoming metadata")
		}
		return status.Error(codes.PermissionDenied, "custom: "+verify.ErrorCode(err))
	}))

	tests := []struct {
		name     string
		conn     *grpc.ClientConn
		md       metadata.MD
		want     codes.Code
		wantBody string
		wantMsg  string
	}{
		{name: "optional: no token", conn: optional, want: codes.OK, wantBody: "hello guest"},
		{name: "optional: valid token", conn: optional, md: metadata.Pairs("authorization", "Bearer "+f.Valid), want: codes.OK, wantBody: "hello " + authtest.UID},
		{name: "optional: expired token", conn: optional, md: metadata.Pairs("authorization", "Bearer "+f.Expired), want: codes.Unauthenticated},
		{name: "cookie: valid token", conn: cookie, md: metadata.Pairs("cookie", "theme=dark; session="+f.Valid), want: codes.OK, wantBody: "hello " + authtest.UID},
		{name: "cookie: tampered token", conn: cookie, md: metadata.Pairs("cookie", "session="+f.Tampered), want: codes.Unauthenticated, wantMsg: "grpcauth: invalid_signature"},
		{name: "cookie: no such cookie", conn: cookie, md: metadata.Pairs("cookie", "sessionid="+f.Valid), want: codes.Unauthenticated, wantMsg: "grpcauth: no_token"},
		{name: "cookie: authorization ignored", conn: cookie, md: metadata.Pairs("authorization", "Bearer "+f.Valid), want: codes.Unauthenticated, wantMsg: "grpcauth: no_token"},
		{name: "responder: expired token", conn: responder, md: metadata.Pairs("authorization", "Bearer "+f.Expired), want: codes.PermissionDenied, wantMsg: "custom: token_expired"},
		{name: "responder: valid token", conn: responder, md: metadata.Pairs("authorization", "Bearer "+f.Valid), want: codes.OK, wantBody: "hello " + authtest.UID},
	}
	for _, kind := range []string{"unary", "stream"} {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				got, err := callWith(t, tt.conn, kind == "stream", tt.md)
				if code := status.Code(err); code != tt.want {
					t.Fatalf("code %v (%v), want %v", code, err, tt.want)
				}
				if got != tt.wantBody {
					t.Fatalf("got %q, want %q", got, tt.wantBody)
				}
				if tt.wantMsg != "" && status.Convert(err).Message() != tt.wantMsg {
					t.Fatalf("message %q, want %q", status.Convert(err).Message(), tt.wantMsg)
				}
			})
		}
	}
}
