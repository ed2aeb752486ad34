"""PCT on an abstract copy of models/deep_bug.rs: can any initial priority
order and any placement of up to 9 change points reach state 6?

shuttle's PCT (Coyote's variant): the runnable thread with the highest
priority runs; at a change point the running thread drops below every
other. Threads: main (spawns a, b, c, then joins them), a, b, c; each step
is a load and, if the state matched, a store. Prints, for each number of
change points, whether some schedule reaches the bug (README, "PCT and
models/deep_bug.rs"). Run: python3 benches/python/pct_deep_bug.py
"""
import itertools

STEPS={1:[(0,1),(2,3),(4,5)],2:[(1,2),(5,6)],3:[(3,4)]}
def runnable(st):
    state,spawned,pc,done,prio,cur=st
    r=[]
    for t in sorted(spawned):
        if t in done: continue
        if t==0 and pc[0]>=3:
            j=[1,2,3][pc[0]-3]
            if j not in done: continue
        r.append(t)
    return r
def step(st,t):
    state,spawned,pc,done,prio,cur=st
    pc=list(pc); spawned=set(spawned); done=set(done)
    if t==0:
        if pc[0]<3: spawned.add(pc[0]+1)
        pc[0]+=1
        if pc[0]==6: done.add(0)
    else:
        s,phase=divmod(pc[t],2); fr,to=STEPS[t][s]
        if phase==0:
            pc[t]+=1
            if state!=fr: pc[t]+=1
        else:
            state=to; pc[t]+=1
        if pc[t]>=2*len(STEPS[t]): done.add(t)
    return (state,frozenset(spawned),tuple(pc),frozenset(done),prio,t)
def search(st,budget,path):
    r=runnable(st)
    if not r: return st[0]==6 and path
    opts=[False]
    if len(r)>1 and st[5] in r and budget>0: opts.append(True)
    for cp in opts:
        state,spawned,pc,done,prio,cur=st
        prio=list(prio)
        if cp:
            prio[cur]=max(prio)+1
        t=min(r,key=lambda x:prio[x])
        res=search(step((state,spawned,pc,done,tuple(prio),cur),t),budget-cp,path+[('cp' if cp else '')+'MABC'[t]])
        if res: return res
    return None
# sanity: any interleaving reaches 6?
def anysched(st):
    r=runnable(st)
    if not r: return st[0]==6
    return any(anysched(step(st,t)) for t in r)
init=(0,frozenset([0]),(0,0,0,0),frozenset(),(0,1,2,3),None)
print("reachable under some interleaving:",anysched(init))
for budget in range(0,10):
    found=None
    for perm in itertools.permutations(range(4)):
        st=(0,frozenset([0]),(0,0,0,0),frozenset(),tuple(perm),None)
        found=search(st,budget,[])
        if found: print(budget,"change points suffice; priorities",perm,":"," ".join(found)); break
    if found: break
    print(budget,"change points: never")
