"""The offline director: plain English in, typed edits out, by simple rules.

No language model, no network, no randomness: regular expressions and small
word tables turn direction into the same edits the LLM director returns. It is
used when no model is configured. What it understands (this is its manual):

People and places
  "Mara, a tall woman in a red raincoat, waits."  adds Mara, wardrobe "a red raincoat"
  "Meet Jon: an old fisherman."  "Jon is a fisherman in his sixties."  "a boy called Sam"
  "Mara now wears a navy sweater." changes her wardrobe; "The harbour is a ..." its look
  "We're at the harbour at dusk, light from the left."  "INT. LIGHTHOUSE - NIGHT"
      adds the place (time of day, key light). The shots of that paragraph, and of later
      ones, happen there until another place is set; a place named in passing ("walks
      along the quay") does not move the scene.
Shots: a sentence with shot words, or a cue (open on, cut to, then, next, finally, we see,
show, end on, add a shot of), or one that starts with a person, or has "dialogue"
  size      extreme close-up, close-up, close on, medium close-up, medium shot, cowboy shot,
            wide/long/full shot, establishing shot, extreme wide
  angle     low/high angle, from below, from above, bird's-eye, worm's-eye, dutch angle,
            over the shoulder, eye level, in profile, from behind
  movement  push in, dolly in, pull back, pan/tilt/zoom/truck/crane/pedestal + direction,
            tracking shot, the camera follows, orbit/arc, handheld, static, locked off,
            with slow/slowly/gentle or fast/quick
  more      "85mm", "a 35 mm lens", "telephoto lens", "3 seconds", "for 5s", shallow/deep
            focus, fade in/out, dissolve, match/smash cut, "at night", "light from the left",
            "backlit", "continuing from shot 4", dialogue in quotes
  people    by name, @handle, or she/he/they. When a pronoun could mean two people it asks,
            and the answer ("Mara", "both", "the first one") completes the shot.
  A sentence that only introduces someone adds them without a shot. Camera words alone
  ("Slow push-in.") and a line of dialogue right after a new shot join that shot.
Commands (shots by id "shot 3", "shots 2 and 5", "the first/last shot", or "it")
  make/change/set shot 2 ... (shot words, "at night", "5 seconds long", "wider", "tighter",
  "slower", "longer", "with Tom", "without Mara", a quoted line, "no dialogue");
  add Tom to shot 3; redo/retake shot 4 [with changes]; lock/unlock shot 3 (or everything);
  delete/remove/cut shot 5; move shot 2 after/before shot 4, to the start/end, up/down;
  swap shots 2 and 3; add a close-up of Mara after shot 2; undo [that / 3 times]; redo;
  render [shot 3 / shots 2 and 5 / everything] [on wan] [again]; compare shot 1 on previz
  and wan; use take 2 for shot 3; export / make the final cut; call the film The Letter;
  make it 16:9 / vertical / square; 720p; 24 fps; the look is warm 70s film.
"""

from storyreel.agent.offline.director import HELP, OFFLINE_NOTICE, OfflineDirector

__all__ = ["HELP", "OFFLINE_NOTICE", "OfflineDirector"]
