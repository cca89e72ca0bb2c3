module github.com/fbverify/fbverify

go 1.25.0

require (
	filippo.io/bigmod v0.1.0
	github.com/MicahParks/keyfunc/v3 v3.9.1
	github.com/golang-jwt/jwt/v5 v5.3.1
)

require (
	github.com/MicahParks/jwkset v0.11.4 // indirect
	golang.org/x/sys v0.11.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)
