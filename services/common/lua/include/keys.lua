-- The names of a tenant's keys: the one place they are spelled. P is the tenant prefix
-- "{t:<tenant>}", so every key of a tenant shares one hash slot and every script runs
-- unchanged on Redis Cluster. The layout (types and fields) is described in the README's
-- "Key layout" section.
local K = {}
function K.ix(P, id) return P .. ':ix:' .. id end
function K.idem(P, key) return P .. ':idem:' .. key end
function K.events(P) return P .. ':events' end
function K.cfg(P) return P .. ':cfg' end
function K.queues(P) return P .. ':queues' end
function K.qc(P, q) return P .. ':qc:' .. q end
function K.qs(P, q) return P .. ':qs:' .. q end
-- The inputs of a queue's estimated wait (written by the routing gauge loop).
function K.ewt(P, q) return P .. ':ewt:' .. q end
-- Active skill signatures of the waiting work of a (step) queue and channel.
function K.qsig(P, rq, ch) return P .. ':qsig:' .. rq .. ':' .. ch end
-- Waiting work of a (step) queue, channel and signature, in routing order.
function K.waiting(P, rq, ch, sig) return P .. ':q:' .. rq .. ':' .. ch .. ':' .. sig end
-- Every waiting interaction of a (real) queue and channel, oldest first.
function K.age(P, q, ch) return P .. ':qt:' .. q .. ':' .. ch end
-- Eligible agents with free capacity of a (step) queue, channel and signature.
function K.avail(P, rq, ch, sig) return P .. ':qa:' .. rq .. ':' .. ch .. ':' .. sig end
function K.agents(P) return P .. ':agents' end
-- The agents in a state (offline|available|away), by id (ListAgents pages through it).
function K.agent_list(P, state) return P .. ':agx:' .. state end
-- The logged-in agents in a state that serve a (real) queue, by id.
function K.queue_members(P, q, state) return P .. ':qm:' .. q .. ':' .. state end
function K.agent(P, a) return P .. ':ag:' .. a end
function K.agent_skills(P, a) return P .. ':agsk:' .. a end
function K.skill(P, skill) return P .. ':sk:' .. skill end
function K.agent_queues(P, a) return P .. ':agq:' .. a end
function K.offers(P, a) return P .. ':ao:' .. a end
function K.skip(P, id) return P .. ':skip:' .. id end
function K.skip_timers(P) return P .. ':skipt' end
function K.timers(P) return P .. ':timers' end
function K.explain(P, id) return P .. ':ex:' .. id end
function K.wrapups(P) return P .. ':wrapups' end
function K.cust(P, customer) return P .. ':cust:' .. customer end
function K.conv(P, customer) return P .. ':conv:' .. customer end
function K.custp(P, customer) return P .. ':custp:' .. customer end
function K.pref(P, a) return P .. ':pref:' .. a end
function K.pref_timers(P) return P .. ':preft' end
function K.maxwait(P) return P .. ':maxwait' end
function K.steps(P) return P .. ':steps' end
function K.rescore(P) return P .. ':rescore' end
function K.capprofs(P) return P .. ':capprofs' end
function K.capprof(P, name) return P .. ':capprof:' .. name end
function K.profag(P, name) return P .. ':profag:' .. name end
-- Webhooks out (services/webhooks/lua): routes (id -> "<1|0> <start id> <types csv>"), each
-- webhook's hash, pending and dropped counts per webhook, the lanes due (zset of
-- "<id>|<lane>"), each lane's "<token> <attempts>", a lane's deliveries (list), the dead
-- letters (zset of delivery ids by sequence, a hash each) and the counters (token, dead).
function K.wh_routes(P) return P .. ':wh:routes' end
function K.wh_sub(P, id) return P .. ':wh:sub:' .. id end
function K.wh_pending(P) return P .. ':wh:pending' end
function K.wh_dropped(P) return P .. ':wh:dropped' end
function K.wh_due(P) return P .. ':wh:due' end
function K.wh_lanes(P) return P .. ':wh:lanes' end
function K.wh_lane(P, member) return P .. ':wh:lane:' .. member end
function K.wh_dead(P) return P .. ':wh:dead' end
function K.wh_dead_letter(P, delivery_id) return P .. ':wh:dead:' .. delivery_id end
function K.wh_seq(P) return P .. ':wh:seq' end
