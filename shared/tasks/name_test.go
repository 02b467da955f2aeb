package tasks

import (
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{name: "send-chat1-42"},
		{name: "timer_queue_v3_ABC"},
		{name: strings.Repeat("a", MaxNameLen)},
		{name: "", wantErr: "empty"},
		{name: strings.Repeat("a", MaxNameLen+1), wantErr: "more than 500"},
		{name: "+15551234567", wantErr: `'+' at 0`},
		{name: "chat/1", wantErr: `'/' at 4`},
		{name: "é", wantErr: "only letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.name)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("ValidateName(%q) = %v, want nil", tt.name, err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("ValidateName(%q) = %v, want an error containing %q", tt.name, err, tt.wantErr)
			}
		})
	}
}
