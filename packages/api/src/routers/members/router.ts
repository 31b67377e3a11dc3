import { router } from '../../trpc';
import { addMemberRoute } from './add-member';
import { listMembersRoute } from './list-members';
import { removeMemberRoute } from './remove-member';
import { setMemberRoleRoute } from './set-member-role';

export const membersRouter = router({
  list: listMembersRoute,
  add: addMemberRoute,
  setRole: setMemberRoleRoute,
  remove: removeMemberRoute,
});
