package cli

import (
	"errors"

	"github.com/socketcluster-go/scclient"
)

// eventLine renders a socket event as one JSON object: "listener" names the
// event, followed by the fields the event carries (those of its JavaScript
// payload, under the JavaScript names).
func eventLine(ev scclient.Event) []byte {
	var o jsonObj
	o.add("listener", ev.Name)
	switch ev.Name {
	case scclient.EventConnect:
		o.add("id", ev.ID)
		o.add("isAuthenticated", ev.IsAuthenticated)
		o.add("pingTimeout", ev.PingTimeout.Milliseconds())
		if ev.AuthError != nil {
			o.add("authError", errorJSON(ev.AuthError))
		}
	case scclient.EventConnectAbort, scclient.EventDisconnect, scclient.EventClose:
		o.add("code", ev.Code)
		o.add("reason", ev.Reason)
	case scclient.EventError:
		addError(&o, ev.Error)
	case scclient.EventMessage, scclient.EventRaw:
		o.addData("message", ev.Message)
	case scclient.EventAuthStateChange:
		o.add("oldAuthState", ev.OldAuthState.String())
		o.add("newAuthState", ev.NewAuthState.String())
		addTokens(&o, ev)
	case scclient.EventAuthenticate:
		addTokens(&o, ev)
	case scclient.EventDeauthenticate, scclient.EventRemoveAuthToken:
		if ev.OldSignedAuthToken != "" {
			o.add("oldSignedAuthToken", ev.OldSignedAuthToken)
		}
		if ev.OldAuthToken != nil {
			o.add("oldAuthToken", ev.OldAuthToken)
		}
	case scclient.EventKickOut:
		o.add("channel", ev.Channel)
		o.addData("message", ev.Message)
	case scclient.EventSubscribeRequest, scclient.EventSubscribe, scclient.EventUnsubscribe:
		o.add("channel", ev.Channel)
		addSubscribeOptions(&o, ev.SubscriptionOptions)
	case scclient.EventSubscribeFail:
		o.add("channel", ev.Channel)
		addError(&o, ev.Error)
	case scclient.EventSubscribeStateChange:
		o.add("channel", ev.Channel)
		o.add("oldChannelState", ev.OldChannelState.String())
		o.add("newChannelState", ev.NewChannelState.String())
	}
	return o.bytes()
}

func addError(o *jsonObj, err error) {
	if err == nil {
		return
	}
	o.add("error", errorJSON(err))
	var pe *scclient.SocketProtocolError
	if errors.As(err, &pe) {
		o.add("code", pe.Code)
		if cause := pe.Unwrap(); cause != nil {
			o.add("cause", cause.Error())
		}
	}
}

func addTokens(o *jsonObj, ev scclient.Event) {
	if ev.SignedAuthToken != "" {
		o.add("signedAuthToken", ev.SignedAuthToken)
	}
	if ev.AuthToken != nil {
		o.add("authToken", ev.AuthToken)
	}
}

func addSubscribeOptions(o *jsonObj, so scclient.SubscribeOptions) {
	if so.WaitForAuth {
		o.add("waitForAuth", true)
	}
	if so.Priority != 0 {
		o.add("priority", so.Priority)
	}
	if so.Data != nil {
		o.add("data", so.Data)
	}
}
