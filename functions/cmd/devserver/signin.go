package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/httpx"
)

// devSignInTTL matches a Firebase ID token's hour.
const devSignInTTL = time.Hour

// devSignIn mints a sign-in token for whoever asks, as whatever role: the
// zero-setup stand-in for Firebase Authentication on scripts/dev. Only
// mounted when SMSDESK_AUTH=dev, which auth.NewDevVerifier refuses on a
// deployed service.
//
//	POST /DevSignIn {"role":"admin"} or {"role":"agent","agentId":"ana"}
//	→ {"token":"smsdesk-dev....","expiresIn":3600}
func devSignIn(dev *auth.DevVerifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpx.RequirePOST(w, r) {
			return
		}
		var in struct {
			Role    auth.Role `json:"role"`
			AgentID string    `json:"agentId"`
			Email   string    `json:"email"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
			httpx.Error(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
		uid := "dev-" + string(in.Role)
		if in.AgentID != "" {
			uid = in.AgentID
		}
		token, err := dev.Mint(auth.Principal{UID: uid, Email: in.Email, Role: in.Role, AgentID: in.AgentID}, devSignInTTL)
		if err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"token": token, "expiresIn": int(devSignInTTL.Seconds())})
	})
}
