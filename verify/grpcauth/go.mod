module github.com/fbverify/fbverify/verify/grpcauth

go 1.25.0

require (
	github.com/fbverify/fbverify v0.1.0
	google.golang.org/grpc v1.84.0
	google.golang.org/protobuf v1.36.11
)

require (
	filippo.io/bigmod v0.1.0 // indirect
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.1 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.40.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260706201446-f0a921348800 // indirect
)

// For work inside the repository only: consumers get v0.1.0 from the
// module proxy (replace directives of a dependency are ignored).
replace github.com/fbverify/fbverify => ../..
