package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/vrrec/vrrec/ratelimit"
)

// RateLimitStore is a ratelimit.Store in Redis, shared by every instance using the same
// server. One Lua script checks and counts all of a request's counters, so
// the all-or-nothing rule holds across instances and under any
// concurrency, in one round trip. It needs no setup: the script is sent
// again whenever Redis has forgotten it (a restart), so vrrec may start
// before Redis does. All of a request's keys go to one server; Redis
// Cluster, which would spread them over shards, is not supported.
type RateLimitStore struct {
	Client goredis.Scripter
}

var _ ratelimit.Store = (*RateLimitStore)(nil)

// takeScript counts one request against every key, or against none when
// one of them is full. ARGV holds, per key, its limit and its window in
// milliseconds. It returns {counted (1 or 0), count1, pttl1, count2, pttl2,
// ...}: the counts after the request when counted, as they stand when not.
// A key's first count sets its expiry, which ends the window.
var takeScript = goredis.NewScript(`
local counts, ttls, ok = {}, {}, 1
for i, key in ipairs(KEYS) do
  counts[i] = tonumber(redis.call('GET', key) or '0')
  ttls[i] = redis.call('PTTL', key)
  if counts[i] >= tonumber(ARGV[2*i-1]) then ok = 0 end
end
if ok == 1 then
  for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    if ttls[i] < 0 then
      redis.call('PEXPIRE', key, ARGV[2*i])
      ttls[i] = tonumber(ARGV[2*i])
    end
  end
end
local out = {ok}
for i = 1, #KEYS do
  out[#out+1] = counts[i]
  out[#out+1] = ttls[i]
end
return out
`)

// Take implements ratelimit.Store.
func (r *RateLimitStore) Take(ctx context.Context, counters []ratelimit.Counter) (bool, []ratelimit.Window, error) {
	if len(counters) == 0 {
		return true, nil, nil
	}
	keys := make([]string, len(counters))
	args := make([]any, 0, 2*len(counters))
	for i, c := range counters {
		keys[i] = c.Key
		args = append(args, c.Rate.Limit, c.Rate.Period.Milliseconds())
	}
	res, err := takeScript.Run(ctx, r.Client, keys, args...).Int64Slice()
	if err != nil {
		return false, nil, fmt.Errorf("redis: count %d rate-limit keys: %w", len(keys), err)
	}
	if len(res) != 1+2*len(counters) {
		return false, nil, fmt.Errorf("redis: the rate-limit script answered %d values for %d keys", len(res), len(keys))
	}
	now := time.Now()
	windows := make([]ratelimit.Window, len(counters))
	for i, c := range counters {
		count, ttl := res[1+2*i], res[2+2*i]
		reset := now.Add(c.Rate.Period) // no window open yet
		if ttl > 0 {
			reset = now.Add(time.Duration(ttl) * time.Millisecond)
		}
		windows[i] = ratelimit.Window{Count: count, Reset: reset}
	}
	return res[0] == 1, windows, nil
}
