package adminapi

import (
	"net/http"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/stats"
)

// StatsRebuild is the answer of POST /stats/rebuild: the day recomputed,
// the chats that ended that day and the counter documents written.
type StatsRebuild struct {
	Day       string `json:"day"`
	Chats     int64  `json:"chats"`
	Documents int    `json:"documents"`
}

// statsRoutes recompute a day's statistics from the chats themselves, for
// when the live counters are doubted (a lost push, a changed price).
func (s *server) statsRoutes() []httpapi.Route {
	return []httpapi.Route{
		route("POST", "/stats/rebuild", func(w http.ResponseWriter, r *http.Request) {
			ss, ok := s.app.Store.(stats.Store)
			if !ok {
				httpapi.WriteError(w, http.StatusServiceUnavailable, "statistics are not kept on this deployment", nil)
				return
			}
			day := r.URL.Query().Get("day")
			svc := &stats.Service{Store: ss, Prices: stats.DefaultPrices}
			shards, err := svc.Rebuild(r.Context(), day)
			if err != nil {
				if _, perr := stats.ParseDay(day); perr != nil {
					httpapi.WriteError(w, http.StatusBadRequest, "invalid rebuild request", []chat.FieldError{{Field: "day", Message: "want a day YYYY-MM-DD"}})
					return
				}
				errs.Fail(w, r, err)
				return
			}
			out := StatsRebuild{Day: day, Documents: len(shards)}
			for _, row := range stats.Sum(shards, stats.ByAll) {
				out.Chats += row.Counters[stats.CChats]
			}
			httpapi.WriteJSON(w, http.StatusOK, out)
		}),
	}
}
