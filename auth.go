package scclient

import (
	"context"
	"errors"
)

// AuthStatus is the result of Authenticate: whether the server accepted the
// token and, when it did not, why.
type AuthStatus struct {
	IsAuthenticated bool
	AuthError       error
}

// AuthState returns the last known authentication state. A closed
// connection does not change it.
func (s *Socket) AuthState() AuthState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authState
}

// SignedAuthToken returns the current signed token, or "".
func (s *Socket) SignedAuthToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signedAuthToken
}

// AuthToken returns the claims of the current token, decoded from the JWT
// payload without verifying it, or nil.
func (s *Socket) AuthToken() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authToken
}

// Authenticate sends a signed token to the server (#authenticate),
// connecting a closed socket first. The token is adopted when the server
// accepts it; it is saved in the auth engine whenever the server answers.
// A server error (for example *AuthTokenInvalidError) is returned as an
// error and leaves the socket unauthenticated; a timeout or a lost
// connection keeps the last known state. Every resulting event is emitted
// before Authenticate returns.
func (s *Socket) Authenticate(ctx context.Context, signedToken string) (AuthStatus, error) {
	res, err := s.Invoke(ctx, "#authenticate", signedToken)
	if err != nil {
		var bce *BadConnectionError
		var te *TimeoutError
		if !errors.As(err, &bce) && !errors.As(err, &te) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			s.mu.Lock()
			s.changeToUnauthenticatedLocked()
			s.mu.Unlock()
		}
		return AuthStatus{}, err
	}
	var raw struct {
		IsAuthenticated *bool `json:"isAuthenticated"`
		AuthError       any   `json:"authError"`
	}
	_ = res.Decode(&raw)
	var status AuthStatus
	s.mu.Lock()
	if raw.IsAuthenticated != nil {
		status.IsAuthenticated = *raw.IsAuthenticated
		if raw.AuthError != nil {
			status.AuthError = hydrateValue(raw.AuthError)
		}
	} else {
		// No status object: JavaScript falls back to the current state
		// name, which is truthy, so the token counts as accepted.
		status.IsAuthenticated = true
	}
	if status.IsAuthenticated {
		s.changeToAuthenticatedLocked(signedToken)
	} else {
		s.changeToUnauthenticatedLocked()
	}
	s.mu.Unlock()
	if err := s.auth.SaveToken(ctx, s.created.AuthTokenName, signedToken); err != nil {
		s.emitError(err)
	}
	return status, nil
}

// Deauthenticate removes the stored token, tells the server
// (#removeAuthToken) when connected, and goes unauthenticated at once.
// Every resulting event is emitted before it returns.
func (s *Socket) Deauthenticate(ctx context.Context) error {
	s.mu.Lock()
	closed := s.state == StateClosed
	s.mu.Unlock()
	var sendErr error
	if !closed {
		sendErr = s.Transmit("#removeAuthToken", nil)
	}
	s.mu.Lock()
	s.changeToUnauthenticatedLocked()
	s.mu.Unlock()
	s.removeStoredToken(ctx)
	return sendErr
}

// removeStoredToken removes the token from the auth engine and emits
// removeAuthToken, or error when the engine fails.
func (s *Socket) removeStoredToken(ctx context.Context) {
	old, err := s.auth.RemoveToken(ctx, s.created.AuthTokenName)
	if err != nil {
		s.emitError(err)
		return
	}
	ev := Event{Name: EventRemoveAuthToken, OldSignedAuthToken: old}
	if old != "" {
		ev.OldAuthToken = decodeTokenClaims(old)
	}
	s.emit(ev)
}

// setAuthTokenFromServer handles #setAuthToken: adopt the token, then save
// it.
func (s *Socket) setAuthTokenFromServer(data []byte) error {
	var msg struct {
		Token *string `json:"token"`
	}
	if err := s.codec.Unmarshal(data, &msg); err != nil || msg.Token == nil {
		return &InvalidMessageError{newSCError("InvalidMessageError", "The #setAuthToken event carries no token string")}
	}
	// Store first, so a consumer that reacts to authenticate by
	// reconnecting already finds the token for the next handshake.
	saveErr := s.auth.SaveToken(context.Background(), s.created.AuthTokenName, *msg.Token)
	s.mu.Lock()
	s.changeToAuthenticatedLocked(*msg.Token)
	s.mu.Unlock()
	if saveErr != nil {
		s.emitError(saveErr)
	}
	return nil
}

// removeAuthTokenFromServer handles #removeAuthToken from the server.
func (s *Socket) removeAuthTokenFromServer() {
	s.mu.Lock()
	s.changeToUnauthenticatedLocked()
	s.mu.Unlock()
	s.removeStoredToken(context.Background())
}

// changeToAuthenticatedLocked adopts a token (PARITY §6.4).
func (s *Socket) changeToAuthenticatedLocked(token string) {
	s.signedAuthToken = token
	s.authToken = decodeTokenClaims(token)
	if s.authState != Authenticated {
		old := s.authState
		s.authState = Authenticated
		if !s.preparingPending {
			s.processPendingSubscriptionsLocked()
		}
		s.emit(Event{Name: EventAuthStateChange, OldAuthState: old, NewAuthState: Authenticated, SignedAuthToken: token, AuthToken: s.authToken})
	}
	s.emit(Event{Name: EventAuthenticate, SignedAuthToken: token, AuthToken: s.authToken})
}

// changeToUnauthenticatedLocked drops the token (PARITY §6.4).
func (s *Socket) changeToUnauthenticatedLocked() {
	if s.authState == Unauthenticated {
		return
	}
	oldSigned, oldClaims := s.signedAuthToken, s.authToken
	s.authState = Unauthenticated
	s.signedAuthToken = ""
	s.authToken = nil
	s.emit(Event{Name: EventAuthStateChange, OldAuthState: Authenticated, NewAuthState: Unauthenticated})
	s.emit(Event{Name: EventDeauthenticate, OldSignedAuthToken: oldSigned, OldAuthToken: oldClaims})
}
