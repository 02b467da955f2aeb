package bus

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodePush(t *testing.T) {
	published := time.Date(2021, 2, 26, 19, 13, 55, 749_000_000, time.UTC)
	tests := []struct {
		name    string
		body    string
		want    Delivery
		wantErr string
	}{
		{
			name: "documented example",
			body: `{
				"message": {
					"attributes": {"key": "value"},
					"data": "SGVsbG8gQ2xvdWQgUHViL1N1YiEgSGVyZSBpcyBteSBtZXNzYWdlIQ==",
					"messageId": "2070443601311540",
					"message_id": "2070443601311540",
					"publishTime": "2021-02-26T19:13:55.749Z",
					"publish_time": "2021-02-26T19:13:55.749Z",
					"orderingKey": "+15551234567"
				},
				"subscription": "projects/myproject/subscriptions/mysubscription",
				"deliveryAttempt": 3
			}`,
			want: Delivery{
				Message: Message{
					Data:        []byte("Hello Cloud Pub/Sub! Here is my message!"),
					Attributes:  map[string]string{"key": "value"},
					OrderingKey: "+15551234567",
				},
				ID:              "2070443601311540",
				PublishTime:     published,
				Subscription:    "projects/myproject/subscriptions/mysubscription",
				DeliveryAttempt: 3,
			},
		},
		{
			name: "snake case only, no data, no attempt",
			body: `{"message":{"message_id":"7","publish_time":"2021-02-26T19:13:55.749Z","attributes":{"a":"b"}},"subscription":"projects/p/subscriptions/s"}`,
			want: Delivery{
				Message:      Message{Attributes: map[string]string{"a": "b"}},
				ID:           "7",
				PublishTime:  published,
				Subscription: "projects/p/subscriptions/s",
			},
		},
		{name: "not JSON", body: `<xml/>`, wantErr: "not a push JSON object"},
		{name: "empty body", body: ``, wantErr: "not a push JSON object"},
		{name: "no message", body: `{"subscription":"s"}`, wantErr: "message: missing"},
		{name: "no id", body: `{"message":{"publishTime":"2021-02-26T19:13:55.749Z"}}`, wantErr: "message.messageId: missing"},
		{name: "bad data", body: `{"message":{"messageId":"1","publishTime":"2021-02-26T19:13:55.749Z","data":"%%%"}}`, wantErr: "message.data: not base64"},
		{name: "bad time", body: `{"message":{"messageId":"1","publishTime":"yesterday"}}`, wantErr: "message.publishTime"},
		{name: "no time", body: `{"message":{"messageId":"1"}}`, wantErr: "message.publishTime: missing"},
		{name: "negative attempt", body: `{"message":{"messageId":"1","publishTime":"2021-02-26T19:13:55.749Z"},"deliveryAttempt":-1}`, wantErr: "deliveryAttempt"},
		{name: "attribute not a string", body: `{"message":{"messageId":"1","publishTime":"2021-02-26T19:13:55.749Z","attributes":{"a":1}}}`, wantErr: "not a push JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/RouteInbound", strings.NewReader(tt.body))
			got, err := DecodePush(r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("DecodePush error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodePush: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DecodePush mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodePushTooLarge(t *testing.T) {
	body := `{"message":{"messageId":"1","publishTime":"2021-02-26T19:13:55.749Z","data":"` +
		strings.Repeat("A", MaxPushBodyBytes) + `"}}`
	_, err := DecodePush(httptest.NewRequest("POST", "/", strings.NewReader(body)))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("DecodePush error = %v, want a size error", err)
	}
}

func TestEncodePushRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		d    Delivery
	}{
		{
			name: "everything",
			d: Delivery{
				Message: Message{
					Data:        []byte{0, 1, 2, 0xff, '\n'},
					Attributes:  map[string]string{"provider": "twilio", "empty": ""},
					OrderingKey: "+15551234567",
				},
				ID:              "42",
				PublishTime:     time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
				Subscription:    "projects/p/subscriptions/route-inbound",
				DeliveryAttempt: 2,
			},
		},
		{
			name: "bare",
			d:    Delivery{ID: "1", PublishTime: time.Unix(1, 0).UTC()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := EncodePush(tt.d)
			if err != nil {
				t.Fatalf("EncodePush: %v", err)
			}
			got, err := DecodePush(httptest.NewRequest("POST", "/", strings.NewReader(string(raw))))
			if err != nil {
				t.Fatalf("DecodePush(%s): %v", raw, err)
			}
			if diff := cmp.Diff(tt.d, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodePushErrors(t *testing.T) {
	tests := []struct {
		name    string
		d       Delivery
		wantErr string
	}{
		{name: "no id", d: Delivery{PublishTime: time.Now()}, wantErr: "ID"},
		{name: "no time", d: Delivery{ID: "1"}, wantErr: "PublishTime"},
		{name: "negative attempt", d: Delivery{ID: "1", PublishTime: time.Now(), DeliveryAttempt: -2}, wantErr: "DeliveryAttempt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodePush(tt.d)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("EncodePush error = %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}
